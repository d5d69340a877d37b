"""intrusion_detection role on rkhunter 1.4.6 and chkrootkit (Debian 11: 0.54, 12: 0.57, 13: 0.58):
the scanners installed, the rkhunter drop-in accepted by rkhunter -C with every allow-list entry
explained, Debian's daily jobs on and mailing the admin, a full daily scan of the hardened host
clean, and the audit's IDS-01/IDS-02 failing on the soft target and passing now (a binary changed
after the baseline: test_planted_change.py).

Every test fails on the soft target: it has neither rkhunter nor chkrootkit (prepare purges them)."""

import sys
import time
from pathlib import Path

import pytest
import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "shared"))

from audit_harness import assert_fail_then_pass  # noqa: E402

testinfra_hosts = ["targets"]

TARGETS = ["bastion-ids-11", "bastion-ids-12", "bastion-ids-13"]
MAILBOX = "/var/mail/sysadmin"
DROPIN = "/etc/rkhunter.d/bastion.conf"
# A file in rkhunter's properties list on every release (coreutils, /usr/bin on 11 too).
PLANTED = "/usr/bin/whoami"
# The daily jobs as Debian runs them: cron.daily's rkhunter; chkrootkit's systemd service on 12
# and 13 (its cron.daily script steps aside under systemd), cron.daily's chkrootkit on 11.
DAILY = (
    "/etc/cron.daily/rkhunter; "
    "if [ -x /usr/sbin/chkrootkit-daily ]; then systemctl start chkrootkit.service; "
    "else /etc/cron.daily/chkrootkit > /var/tmp/chkrootkit.out 2>&1; fi"
)


def release(host):
    return host.ansible.get_variables()["inventory_hostname"][-2:]


def mails(host, subject):
    return int(host.run("grep -c '^Subject: %s' %s" % (subject, MAILBOX)).stdout.strip() or 0)


def run_on_all(command, unit, timeout):
    """Run COMMAND on every target at once (a transient systemd unit each), wait for all."""
    hosts = [testinfra.get_host("docker://%s" % name) for name in TARGETS]
    for h in hosts:
        h.run("systemctl reset-failed %s >/dev/null 2>&1", unit)
        # KillMode=process: exim's delivery, forked by sendmail, outlives the job as under cron.
        h.check_output(
            "systemd-run --unit=%s --service-type=oneshot --property=KillMode=process --no-block /bin/sh -c %s",
            unit,
            command,
        )
    deadline = time.monotonic() + timeout
    for h in hosts:
        while (
            h.run("systemctl is-active -q %s", unit).rc == 0
            or h.run("systemctl show -p ActiveState --value %s | grep -qx activating", unit).rc == 0
        ):
            assert time.monotonic() < deadline, "%s still running on %s" % (unit, h.backend.get_pytest_id())
            time.sleep(3)


@pytest.fixture(scope="module")
def daily_scan():
    """Debian's daily jobs, once, on every hardened target at the same time (a full rkhunter scan
    takes minutes): the log of the earlier runs emptied first, so this scan alone counts."""
    for name in TARGETS:
        testinfra.get_host("docker://%s" % name).check_output(
            "rm -f /var/log/rkhunter.log /var/log/chkrootkit/log.today"
        )
    run_on_all(DAILY, "bastion-verify-daily", 900)


def test_scanners_are_installed(host):
    for package in ("rkhunter", "unhide", "e2fsprogs", "chkrootkit"):
        assert host.package(package).is_installed, package


def test_rkhunter_configuration_is_valid_and_explained(host):
    check = host.run("rkhunter -C --nocolors")
    assert check.rc == 0, check.stdout + check.stderr
    lines = host.file(DROPIN).content_string.splitlines()
    settings = [(i, line) for i, line in enumerate(lines) if line and not line.startswith("#")]
    values = dict(line.split("=", 1) for _i, line in settings if not line.startswith(("SCRIPTWHITELIST", "ALLOW")))
    assert values["PKGMGR"] == "DPKG"
    # DISABLE_TESTS adds up across the files: Debian's list in rkhunter.conf less hidden_procs
    # (unhide is there), plus only the kernel-module tests in the drop-in (a container).
    assert values["DISABLE_TESTS"].split() == ["avail_modules", "loaded_modules"]
    main = host.file("/etc/rkhunter.conf").content_string.splitlines()
    disabled = [line for line in main if line.startswith("DISABLE_TESTS=")]
    assert disabled == ["DISABLE_TESTS=suspscan hidden_ports deleted_files packet_cap_apps apps"], disabled
    allow = [(i, line) for i, line in settings if line.startswith(("SCRIPTWHITELIST", "ALLOW"))]
    assert allow, "no allow-list entry: %s" % lines
    for i, line in allow:
        assert lines[i - 1].startswith("# Debian: ") or lines[i - 1].startswith("# Site: "), "no reason for %s" % line
    if release(host) == "11":
        # Debian 11's rkhunter.conf lists /usr/bin/egrep and fgrep, absent without merged /usr.
        assert "SCRIPTWHITELIST=/bin/egrep" in [line for _i, line in allow]


def test_properties_database_is_built(host):
    db = host.file("/var/lib/rkhunter/db/rkhunter.dat")
    assert db.exists and db.size > 0
    assert PLANTED in db.content_string


def test_daily_jobs_are_on_and_mail_the_admin(host):
    defaults = host.file("/etc/default/rkhunter").content_string
    for line in ('CRON_DAILY_RUN="true"', 'REPORT_EMAIL="sysadmin"', 'APT_AUTOGEN="true"'):
        assert line in defaults.splitlines(), line
    conf = "/etc/chkrootkit.conf" if release(host) == "11" else "/etc/chkrootkit/chkrootkit.conf"
    chk = host.file(conf).content_string.splitlines()
    assert 'RUN_DAILY="true"' in chk and 'DIFF_MODE="true"' in chk
    if release(host) != "11":
        assert 'MAILTO="sysadmin"' in chk


def test_daily_scan_of_the_hardened_host_is_clean(host, daily_scan):
    log = host.file("/var/log/rkhunter.log").content_string
    assert "System checks summary" in log or "Rootkit checks" in log, log[-2000:]
    warnings = [line for line in log.splitlines() if "Warning:" in line]
    assert not warnings, warnings
    # The hidden-process test ran (unhide), it was not skipped.
    disabled = [line for line in log.splitlines() if "Disabled tests are:" in line]
    assert disabled and "hidden_procs" not in disabled[0], disabled
    assert "Checking for hidden processes" in log, [line for line in log.splitlines() if "hidden" in line.lower()]
    assert mails(host, r"\[rkhunter\]") == 0, host.file(MAILBOX).content_string[-2000:]
    today = host.file("/var/log/chkrootkit/log.today").content_string
    assert "INFECTED" not in today and "Vulnerable" not in today, today


def test_audit_ids_fail_before_and_pass_after(host, daily_scan):
    assert_fail_then_pass(host, ["IDS-01", "IDS-02"])
