"""updates role on Debian 11, 12 and 13 with local apt repositories (prepare): the security
upgrade applied everywhere, the ordinary one only where updates_apply is all, unattended-upgrades
configured and parsed by unattended-upgrade itself, package files verified (debsums or
dpkg --verify) with the changed ones reported and the allowed conffile not, a pending reboot
reported, the audit's PATCH checks failing before and passing after. Every test fails on the
unhardened soft target: the old versions are installed there, 20auto-upgrades is missing, the
changed files are in place, and the report playbook's findings are asserted against it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from audit_harness import assert_fail_then_pass  # noqa: E402

testinfra_hosts = ["targets"]

ALL = "bastion-upd-12"  # updates_apply all, updates_verify_action warn, debsums baked in
DROPIN = "/etc/apt/apt.conf.d/52bastion-unattended-upgrades"
AUTO = "/etc/apt/apt.conf.d/20auto-upgrades"
AUDIT_IDS = {
    "bastion-upd-11": ["PATCH-02", "PATCH-05", "PATCH-06"],
    "bastion-upd-12": ["PATCH-01", "PATCH-02", "PATCH-06"],
    "bastion-upd-13": ["PATCH-02", "PATCH-05", "PATCH-06"],
}


def name(host):
    return host.ansible.get_variables()["inventory_hostname"]


def version(host, package):
    return host.check_output("dpkg-query -W -f='${Version}' %s" % package)


def test_security_upgrade_applied(host):
    assert version(host, "bastion-dummy-sec") == "1.1"


def test_ordinary_upgrade_only_with_apply_all(host):
    pending = host.check_output("apt-get -s -o Debug::NoLocking=1 upgrade | grep '^Inst ' || true")
    if name(host) == ALL:
        assert version(host, "bastion-dummy-reg") == "1.1"
        assert "bastion-dummy-reg" not in pending
    else:
        # security only: the ordinary upgrade is still pending, untouched.
        assert version(host, "bastion-dummy-reg") == "1.0"
        assert "Inst bastion-dummy-reg [1.0] (1.1 Bastion:bastion-updates" in pending
    assert "bastion-dummy-sec" not in pending


def test_unattended_upgrades_configured(host):
    auto = host.file(AUTO)
    assert auto.is_file and auto.user == "root" and auto.mode == 0o644
    assert 'APT::Periodic::Unattended-Upgrade "1";' in auto.content_string
    assert 'APT::Periodic::Update-Package-Lists "1";' in auto.content_string
    dump = host.check_output("apt-config dump")
    assert 'Unattended-Upgrade::Mail "admin@example.org";' in dump
    assert 'Unattended-Upgrade::Automatic-Reboot "false";' in dump
    origins = [line for line in dump.splitlines() if line.startswith("Unattended-Upgrade::Origins-Pattern:: ")]
    # The package's list (label=Debian, point releases) is cleared: only the role's patterns.
    assert origins == [
        'Unattended-Upgrade::Origins-Pattern:: "%s";' % pattern
        for pattern in (
            "origin=Debian,codename=${distro_codename}-security,label=Debian-Security",
            "origin=Bastion,label=Bastion-Security",
        )
    ]
    # The package's own conffile stays as shipped.
    assert host.run("dpkg --verify unattended-upgrades").stdout == ""


def test_unattended_upgrade_parses_the_configuration(host):
    res = host.run("unattended-upgrade --dry-run --debug")
    assert res.rc == 0, res.stdout + res.stderr
    out = res.stdout + res.stderr
    assert "origin=Bastion,label=Bastion-Security" in out
    assert "label=Debian," not in out


def test_package_files_restored_or_reported(host):
    verify = host.run("dpkg --verify bastion-dummy-tool").stdout
    # The allowed conffile and the administrator's conffile keep their changes either way.
    assert "c /etc/bastion-dummy-tool/allowed.conf" in verify
    assert "c /etc/bastion-dummy-tool/plain.conf" in verify
    if name(host) == ALL:
        assert "/usr/share/bastion-dummy-tool/data.txt" in verify
    else:
        # updates_verify_action reinstall: the changed and the missing file are back.
        assert "/usr/share/bastion-dummy-tool/data.txt" not in verify
        assert host.file("/usr/bin/bastion-dummy-tool").is_file


def run_report(aliases, tmp_path_factory, check):
    """report.yml over ALIASES ({alias: host vars}): the json callback's result."""
    molecule = yaml.safe_load((SCENARIO / "molecule.yml").read_text())
    # molecule's own substitution: $$ is a literal $.
    group_vars = yaml.safe_load(
        yaml.safe_dump(molecule["provisioner"]["inventory"]["group_vars"]["targets"]).replace("$$", "$")
    )
    host_vars = molecule["provisioner"]["inventory"]["host_vars"]
    hosts = {}
    for alias, values in aliases.items():
        hosts[alias] = {
            **group_vars,
            **host_vars[values["ansible_host"]],
            **values,
            "ansible_connection": "community.docker.docker",
        }
    path = tmp_path_factory.mktemp("report") / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    playbook = shutil.which("ansible-playbook", path=str(Path(sys.executable).parent)) or "ansible-playbook"
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_FORKS="4")
    proc = subprocess.run(
        [playbook] + (["--check"] if check else []) + ["-i", str(path), str(SCENARIO / "report.yml")],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=300,
    )
    return json.loads(proc.stdout[proc.stdout.index("{") :]), proc


def messages(result, alias):
    msgs = []
    for task in result["plays"][0]["tasks"]:
        res = task["hosts"].get(alias, {})
        if "msg" in res and "PATCH-" in task["task"]["name"]:
            if res.get("failed"):
                msgs.append("FAILED " + task["task"]["name"].split(" : ")[-1])
            msgs.append(json.dumps(res["msg"]))
    return {"msgs": "\n".join(msgs), "stats": result["stats"][alias]}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """report.yml in check mode over the three targets (Debian 12 also once with dpkg --verify,
    and once with updates_verify_action fail, which in check mode reports and finishes), then
    the fail action once for real on Debian 12 (the hardened host: nothing else to change):
    {alias: {"msgs": [debug messages], "stats": stats}}."""
    aliases = {
        "bastion-upd-11": {"ansible_host": "bastion-upd-11"},
        "bastion-upd-12": {"ansible_host": "bastion-upd-12"},
        "bastion-upd-13": {"ansible_host": "bastion-upd-13"},
        "bastion-upd-12-dpkg": {"ansible_host": "bastion-upd-12", "updates_verify_tool": "dpkg"},
        "bastion-upd-12-fail-check": {"ansible_host": "bastion-upd-12", "report_verify_action": "fail"},
    }
    result, proc = run_report(aliases, tmp_path_factory, check=True)
    failed = sorted(alias for alias, stats in result["stats"].items() if stats["failures"])
    assert failed == [], proc.stdout[-3000:] + proc.stderr[-2000:]
    out = {alias: messages(result, alias) for alias in aliases}
    real = {"bastion-upd-12-fail": {"ansible_host": "bastion-upd-12", "report_verify_action": "fail"}}
    result, proc = run_report(real, tmp_path_factory, check=False)
    assert result["stats"]["bastion-upd-12-fail"]["failures"] == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    out["bastion-upd-12-fail"] = messages(result, "bastion-upd-12-fail")
    return out


def test_report_lists_changed_files_not_allowed_ones(host, report):
    alias = name(host)
    runs = [alias, alias + "-dpkg"] if alias == ALL else [alias]
    for run in runs:
        msgs = report[run]["msgs"]
        assert report[run]["stats"]["changed"] == 0, (run, report[run]["stats"])
        assert "allowed.conf" not in msgs and "plain.conf" not in msgs, msgs
        if alias == ALL:
            tool = "dpkg" if run.endswith("-dpkg") else "debsums"
            assert "PATCH-05: %s: 2 findings, 1 allowed, 1 changed conffiles not watched" % tool in msgs, msgs
            assert "changed file /usr/share/bastion-dummy-tool/data.txt (bastion-dummy-tool)" in msgs, msgs
            assert "changed conffile /etc/cron.d/bastion-dummy-tool (bastion-dummy-tool)" in msgs, msgs
        else:
            assert "PATCH-05: %s: 0 findings, 1 allowed" % ("dpkg" if alias.endswith("11") else "debsums") in msgs, msgs


def test_fail_action_stops_on_changed_files(host, report):
    if name(host) != ALL:
        pytest.skip("the fail run is on %s" % ALL)
    checked = report[ALL + "-fail-check"]["msgs"]
    assert "PATCH-05: 2 changed or missing package files; with updates_verify_action fail a real run stops here" in (
        checked
    ), checked
    assert report[ALL + "-fail-check"]["stats"]["changed"] == 0, report[ALL + "-fail-check"]["stats"]
    msgs = report[ALL + "-fail"]["msgs"]
    assert "FAILED PATCH-05 | Stop on changed package files" in msgs, msgs
    assert "PATCH-05: 2 changed or missing package files" in msgs, msgs
    # The role stopped before the upgrades and the reboot report.
    assert "PATCH-01:" not in msgs and "PATCH-03:" not in msgs, msgs


def test_report_pending_reboot(host, report):
    msgs = report[name(host)]["msgs"]
    assert "PATCH-03: a reboot is required: /var/run/reboot-required exists (bastion-dummy-sec)" in msgs, msgs
    if name(host) == "bastion-upd-11":
        assert "kernel 99.0.0-bastion is installed" in msgs, msgs


def test_audit_fails_before_and_passes_after(host):
    # PATCH-03 stays (the role reports a pending reboot, it does not reboot); PATCH-04 (newest kernel
    # running) cannot be shown in a container: the kernel is the host's; PATCH-01 passes only
    # where all upgrades are applied, PATCH-05 only where the changed files are reinstalled.
    assert_fail_then_pass(host, AUDIT_IDS[name(host)])
