"""The integrity role on Debian 11, 12 (AIDE) and 13 (Tripwire): the tool installed, its
baseline built, the daily check scheduled; the check reports a modified binary in its journal
and report and mails it to the admin (bastion_admin_email: bastionadm); a re-baseline accepts
the change. On the soft target there is no baseline, no unit and no mail: every test here fails
there."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from audit_harness import assert_fail_then_pass, audit_before, audit_now  # noqa: E402

testinfra_hosts = ["targets"]

UNIT = "bastion-integrity-check"
MAILBOX = "/var/mail/bastionadm"
TARGET = "/usr/bin/zdump"
IDS = ["INTEG-01", "INTEG-02", "INTEG-03"]


def tool(host):
    """The scenario's integrity_tool for this target."""
    return host.ansible.get_variables().get("integrity_tool", "aide")


def check_log(host):
    return "/var/log/aide/aide.log" if tool(host) == "aide" else "/var/log/bastion-tripwire-check.log"


def without_aide(host):
    """The soft target without any integrity tool (Debian 11 here)."""
    return bool(host.ansible.get_variables().get("soft_target_without_aide"))


def run_check(host):
    """Start the check's service the way its timer does; its exit status and its journal."""
    since = host.check_output("date '+%Y-%m-%d %H:%M:%S'")
    res = host.run("systemctl start %s.service" % UNIT)
    journal = host.check_output("journalctl -u %s.service --no-pager --since '%s'" % (UNIT, since))
    return res.rc, journal


def test_tripwire_keys_policy_and_baseline(host):
    if tool(host) != "tripwire":
        pytest.skip("AIDE target")
    assert host.package("tripwire").is_installed
    for path in ("/etc/tripwire/bastion-site.key", "/etc/tripwire/bastion-local.key", "/etc/tripwire/tw.pol"):
        assert host.file(path).exists, path
    assert '"/usr/bin" -> $(ReadOnly) ;' in host.file("/etc/tripwire/bastion-twpol.txt").content_string
    db = host.file("/var/lib/tripwire/bastion.twd")
    assert db.exists and db.size > 0
    assert "state=done" in host.file("/var/lib/tripwire/bastion-init.status").content_string
    # The signed policy opens with the site key: twadmin prints it back.
    assert "/usr/bin" in host.check_output("twadmin --print-polfile --cfgfile /etc/tripwire/tw.cfg")


def test_aide_installed_with_a_baseline(host):
    if tool(host) != "aide":
        pytest.skip("Tripwire target")
    assert host.package("aide").is_installed
    db = host.file("/var/lib/aide/aide.db")
    assert db.exists and db.size > 0 and db.user == "root" and db.mode == 0o600
    status = host.file("/var/lib/aide/bastion-init.status").content_string
    assert "state=done" in status, status
    conf = host.file("/etc/aide/bastion-aide.conf").content_string
    assert "/usr/bin BastionRule" in conf and "!/var/log(/.*)?$" in conf, conf
    assert host.run("aide --config-check --config /etc/aide/bastion-aide.conf").rc == 0


def test_daily_check_scheduled_and_debian_check_off(host):
    timer = host.service(UNIT + ".timer")
    assert timer.is_enabled and timer.is_running
    assert "05:15:00" in host.file("/etc/systemd/system/%s.timer" % UNIT).content_string
    assert "CRON_DAILY_RUN=no" in host.file("/etc/default/aide").content_string
    if host.file("/lib/systemd/system/dailyaidecheck.timer").exists:
        assert not host.service("dailyaidecheck.timer").is_enabled


def test_audit_fails_before_and_passes_after_a_check_ran(host):
    rc, journal = run_check(host)
    assert rc == 0, journal
    assert host.file(check_log(host)).contains("exit 0")
    if without_aide(host):
        # No tool before: INTEG-02 and -03 were not applicable then, and pass now.
        assert_fail_then_pass(host, ["INTEG-01"])
        before, params = audit_before(host)
        after = audit_now(host, ["INTEG-02", "INTEG-03"], params)
        assert before["INTEG-02"]["status"] == before["INTEG-03"]["status"] == "not_applicable", before
        assert after["INTEG-02"]["status"] == "pass" and after["INTEG-03"]["status"] == "pass", after
    else:
        assert_fail_then_pass(host, ["INTEG-02", "INTEG-03"])


def test_modified_binary_is_reported_and_mailed(host):
    host.run("cp -p %s /var/tmp/zdump.orig" % TARGET)
    assert host.run("printf '#' >> %s" % TARGET).rc == 0
    rc, journal = run_check(host)
    assert rc != 0, journal
    assert TARGET in journal, journal
    assert host.file(check_log(host)).contains(TARGET)
    # exim delivers synchronously (sendmail -odi); allow the spool a moment anyway.
    for _attempt in range(10):
        mailbox = host.file(MAILBOX)
        if mailbox.exists and TARGET in mailbox.content_string:
            break
        time.sleep(1)
    content = host.file(MAILBOX).content_string
    label = "AIDE" if tool(host) == "aide" else "Tripwire"
    assert "Subject: %s: files changed on" % label in content, content[-2000:]
    assert TARGET in content


def run_role(host, tmp_path, args):
    """converge.yml on this target with the scenario's variables plus ARGS: the json result."""
    variables = host.ansible.get_variables()
    keep = ["bastion_admin_email", "integrity_paths", "integrity_init_wait"]
    host_vars = dict({k: variables[k] for k in keep}, ansible_connection="community.docker.docker")
    inventory = {"all": {"children": {"targets": {"hosts": {variables["inventory_hostname"]: host_vars}}}}}
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory))
    playbook = shutil.which("ansible-playbook", path=str(Path(sys.executable).parent)) or "ansible-playbook"
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json")
    proc = subprocess.run(
        [playbook, "-i", str(path), str(SCENARIO / "converge.yml")] + args,
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return json.loads(proc.stdout[proc.stdout.index("{") :])


def test_rebaseline_accepts_the_change(host, tmp_path):
    # Two more plays: on one target only (time), the same code path on the others.
    if not host.ansible.get_variables().get("rebaseline_in_verify"):
        pytest.skip("the re-baseline is tested on the target with rebaseline_in_verify")
    db_before = host.file("/var/lib/aide/aide.db").mtime
    result = run_role(host, tmp_path, ["--tags", "integrity_rebaseline"])
    stats = result["stats"][host.ansible.get_variables()["inventory_hostname"]]
    assert stats["changed"] >= 1, stats
    assert host.file("/var/lib/aide/aide.db").mtime > db_before
    rc, journal = run_check(host)
    assert rc == 0, journal
    # And the next run has nothing to do.
    again = run_role(host, tmp_path, [])
    assert again["stats"][host.ansible.get_variables()["inventory_hostname"]]["changed"] == 0
