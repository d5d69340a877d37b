# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the bastion.hardening.compliance_report callback.

The first half drives the callback with stand-ins for the task results and stats that
ansible-core passes; the second half runs real ``ansible-playbook`` processes against this
machine (``-c local``) and an unreachable loopback port.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from ansible import constants as C
from ansible import context
from ansible.errors import AnsibleError
from ansible.module_utils.common.collections import ImmutableDict
from ansible_collections.bastion.hardening.plugins.callback import compliance_report
from ansible_collections.bastion.hardening.plugins.module_utils import report as rpt

COLLECTION_ROOT = Path(__file__).resolve().parents[4]


def check(cid, status="pass", severity="medium", evidence=None):
    return {
        "id": cid,
        "title": "Check %s" % cid,
        "area": "internet services",
        "severity": severity,
        "status": status,
        "evidence": evidence if evidence is not None else [],
        "remediation": {"role": "inetd", "variables": [], "text": "Fix it."},
    }


def audit(hostname, checks, generated="2025-03-01T10:00:00Z"):
    return {"schema": 1, "hostname": hostname, "generated": generated, "duration": 0.1, "checks": checks}


# ---------------------------------------------------------------------------- stand-ins


class FakeHost:
    def __init__(self, name):
        self.name = name

    def get_name(self):
        return self.name


class FakeTask:
    def __init__(self, check_mode=None, action="ansible.builtin.copy"):
        self.check_mode = check_mode
        self.action = action


class FakeResult:
    def __init__(self, host, result, name="task", check_mode=None):
        self.host = FakeHost(host)
        self.task = FakeTask(check_mode)
        self.task_name = name
        self.result = result


class FakeStats:
    def __init__(self, **per_host):
        self.processed = dict((name, 1) for name in per_host)
        self._per_host = per_host

    def summarize(self, host):
        counts = {"ok": 0, "failures": 0, "unreachable": 0, "changed": 0, "skipped": 0, "rescued": 0, "ignored": 0}
        counts.update(self._per_host.get(host, {}))
        return counts


class FakeDisplay:
    verbosity = 0

    def __init__(self):
        self.lines = []

    def display(self, msg, **kwargs):
        self.lines.append(("display", msg))

    def warning(self, msg, **kwargs):
        self.lines.append(("warning", msg))

    def error(self, msg, **kwargs):
        self.lines.append(("error", msg))


@pytest.fixture
def cliargs(monkeypatch):
    def set_args(**kwargs):
        monkeypatch.setattr(context, "CLIARGS", ImmutableDict(kwargs))

    set_args()
    return set_args


PLUGIN = "bastion.hardening.compliance_report"


@pytest.fixture
def make_callback(monkeypatch, cliargs):
    """A callback whose options go through ansible-core's config manager, as when loaded."""
    defs = yaml.safe_load(compliance_report.DOCUMENTATION)["options"]
    C.config.initialize_plugin_configuration_definitions("callback", PLUGIN, defs)
    for name in list(os.environ):
        if name.startswith("BASTION_REPORT_"):
            monkeypatch.delenv(name)

    def make(**direct):
        cb = compliance_report.CallbackModule(display=FakeDisplay())
        cb._load_name = PLUGIN
        cb.set_options(direct=direct)
        return cb

    return make


@pytest.fixture
def callback(tmp_path, make_callback):
    return make_callback(output_dir=str(tmp_path / "reports"))


def test_option_defaults_and_environment(make_callback, monkeypatch):
    cb = make_callback()
    assert cb.get_option("output_dir").endswith("/reports")
    assert cb.get_option("formats") == ["json", "junit", "html"]
    assert cb.get_option("fail_on") == "none"
    monkeypatch.setenv("BASTION_REPORT_DIR", "/srv/reports")
    monkeypatch.setenv("BASTION_REPORT_FORMATS", "json,junit")
    monkeypatch.setenv("BASTION_REPORT_FAIL_ON", "medium")
    cb = make_callback()
    assert (cb.get_option("output_dir"), cb.get_option("formats"), cb.get_option("fail_on")) == (
        "/srv/reports",
        ["json", "junit"],
        "medium",
    )


@pytest.mark.parametrize("name, value", [("fail_on", "severe"), ("formats", ["json", "pdf"])])
def test_option_choices_are_enforced(make_callback, name, value):
    with pytest.raises(AnsibleError, match="Invalid value"):
        make_callback(**{name: value})


def load(tmp_path):
    return json.loads((tmp_path / "reports" / "compliance.json").read_text())


def test_audit_results_later_replaces_earlier(callback, tmp_path):
    facts = {"ansible_facts": {"bastion_audit": audit("web1", [check("NET-01", "fail")])}}
    callback.v2_runner_on_ok(FakeResult("web1", facts, "Audit"))
    newer = {"ansible_facts": {"bastion_audit": audit("web1", [check("NET-01", "pass"), check("NET-02")])}}
    callback.v2_runner_on_ok(FakeResult("web1", newer, "Audit again"))
    callback.v2_runner_on_ok(FakeResult("db1", {"changed": False}, "Something else"))
    callback.v2_playbook_on_stats(FakeStats(web1={"ok": 2}, db1={"ok": 1}))
    report = load(tmp_path)
    web1 = report["hosts"]["web1"]
    assert web1["status"] == "audited"
    assert [(c["id"], c["status"]) for c in web1["checks"]] == [("NET-01", "pass"), ("NET-02", "pass")]
    assert web1["observed"] == "2025-03-01T10:00:00Z"
    assert web1["audit"]["hostname"] == "web1"
    assert report["hosts"]["db1"]["status"] == "no_audit"
    assert report["totals"]["checks"]["pass"] == 2
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "compliance.html",
        "compliance.json",
        "compliance.junit.xml",
    ]


def test_bad_audit_fact_is_a_warning(callback, tmp_path):
    callback.v2_runner_on_ok(FakeResult("web1", {"ansible_facts": {"bastion_audit": "nonsense"}}))
    callback.v2_playbook_on_stats(FakeStats(web1={"ok": 1}))
    assert (
        "warning",
        "compliance_report: ignoring the bastion_audit fact of web1: bastion_audit is a str, not a mapping",
    ) in (callback._display.lines)
    assert load(tmp_path)["hosts"]["web1"]["status"] == "no_audit"


def test_drift_only_in_check_mode_and_with_a_control_id(callback, cliargs, tmp_path):
    diff = {"before": "old\n", "after": "new\n", "before_header": "/etc/x", "after_header": "/etc/x"}
    callback.v2_runner_on_ok(FakeResult("web1", {"changed": True, "diff": diff}, "INETD-04 | Wrap with tcpd"))
    cliargs(check=True)
    callback.v2_runner_on_ok(FakeResult("web1", {"changed": True, "diff": [diff]}, "INETD-04 | Wrap with tcpd"))
    callback.v2_runner_on_ok(FakeResult("web1", {"changed": True}, "No ID | changed"))
    callback.v2_runner_on_ok(FakeResult("web1", {"changed": False}, "INETD-01 | unchanged"))
    callback.v2_runner_on_ok(FakeResult("web1", {"changed": True}, "INETD-02 | check_mode false", check_mode=False))
    loop = {"changed": True, "results": [{"changed": True, "diff": {"prepared": "item one"}}, {"changed": False}]}
    callback.v2_runner_on_ok(FakeResult("web1", loop, "INETD-03 | loop"))
    callback.v2_playbook_on_stats(FakeStats(web1={"ok": 5, "changed": 3}))
    drift = load(tmp_path)["hosts"]["web1"]["drift"]
    assert [(d["id"], d["task"]) for d in drift] == [
        ("INETD-04", "INETD-04 | Wrap with tcpd"),
        ("INETD-03", "INETD-03 | loop"),
    ]
    assert drift[0]["diff"] == "--- /etc/x\n+++ /etc/x\n@@ -1 +1 @@\n-old\n+new\n"
    assert drift[0]["action"] == "ansible.builtin.copy"
    assert drift[1]["diff"] == "item one"


def test_task_check_mode_true_records_drift_without_check_flag(callback, tmp_path):
    callback.v2_runner_on_ok(FakeResult("web1", {"changed": True}, "INETD-05 | purge", check_mode=True))
    callback.v2_playbook_on_stats(FakeStats(web1={"ok": 1}))
    assert [d["id"] for d in load(tmp_path)["hosts"]["web1"]["drift"]] == ["INETD-05"]


def test_failed_and_unreachable_hosts(callback, tmp_path):
    facts = {"ansible_facts": {"bastion_audit": audit("web1", [check("NET-01")])}}
    callback.v2_runner_on_ok(FakeResult("web1", facts))
    callback.v2_runner_on_failed(FakeResult("web1", {"msg": "boom"}, "Break"))
    callback.v2_runner_on_failed(FakeResult("db1", {"msg": "ignored"}, "Ignored"), ignore_errors=True)
    callback.v2_runner_on_failed(FakeResult("app1", {"msg": "rescued"}, "Rescued"))
    callback.v2_runner_on_unreachable(FakeResult("down1", {"msg": "ssh: refused", "unreachable": True}))
    callback.v2_playbook_on_stats(
        FakeStats(
            web1={"ok": 1, "failures": 1},
            db1={"ok": 1, "ignored": 1},
            app1={"ok": 1, "rescued": 1},
            down1={"unreachable": 1},
        )
    )
    hosts = load(tmp_path)["hosts"]
    assert (hosts["web1"]["status"], hosts["web1"]["message"]) == ("failed", "Break: boom")
    assert hosts["web1"]["checks"][0]["id"] == "NET-01"
    assert (hosts["db1"]["status"], hosts["db1"]["message"]) == ("no_audit", None)
    assert (hosts["app1"]["status"], hosts["app1"]["message"]) == ("no_audit", None)
    assert (hosts["down1"]["status"], hosts["down1"]["message"]) == ("unreachable", "ssh: refused")


def test_formats_option(callback, tmp_path):
    callback._plugin_options["formats"] = ["junit"]
    callback.v2_playbook_on_stats(FakeStats(web1={"ok": 1}))
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["compliance.junit.xml"]


def test_unwritable_output_dir_is_an_error_not_a_crash(callback, tmp_path):
    (tmp_path / "file").write_text("")
    callback._plugin_options["output_dir"] = str(tmp_path / "file" / "reports")
    callback.v2_playbook_on_stats(FakeStats(web1={"ok": 1}))
    kind, msg = callback._display.lines[-1]
    assert kind == "error"
    assert msg.startswith("compliance_report: cannot write the reports to %s: " % (tmp_path / "file" / "reports"))


@pytest.mark.parametrize("fail_on, exits", [("none", False), ("critical", False), ("high", True), ("low", True)])
def test_fail_on_raises_system_exit_after_writing(callback, tmp_path, fail_on, exits):
    callback._plugin_options["fail_on"] = fail_on
    facts = {"ansible_facts": {"bastion_audit": audit("web1", [check("NET-01", "fail", "high")])}}
    callback.v2_runner_on_ok(FakeResult("web1", facts))
    stats = FakeStats(web1={"ok": 1})
    if exits:
        with pytest.raises(SystemExit) as exc:
            callback.v2_playbook_on_stats(stats)
        assert exc.value.code == compliance_report.EXIT_NON_COMPLIANT == 3
        assert callback._display.lines[-1] == (
            "error",
            "compliance_report: 1 host(s) fail checks of severity %s or worse: web1 (NET-01). Reports in %s"
            % (fail_on, tmp_path / "reports"),
        )
    else:
        callback.v2_playbook_on_stats(stats)
    assert (tmp_path / "reports" / "compliance.json").exists()


def test_fail_on_waits_for_the_last_playbook(callback, cliargs, tmp_path):
    cliargs(args=("audit.yml", "harden.yml"))
    callback._plugin_options["fail_on"] = "high"
    facts = {"ansible_facts": {"bastion_audit": audit("web1", [check("NET-01", "fail", "critical")])}}
    callback.v2_runner_on_ok(FakeResult("web1", facts))
    callback.v2_playbook_on_stats(FakeStats(web1={"ok": 1}))
    with pytest.raises(SystemExit):
        callback.v2_playbook_on_stats(FakeStats(web1={"ok": 2}))


# ---------------------------------------------------------------------------- real runs


def ansible_playbook():
    local = Path(sys.executable).parent / "ansible-playbook"
    return str(local) if local.exists() else shutil.which("ansible-playbook")


@pytest.fixture(scope="module")
def collections_path(tmp_path_factory):
    """A directory with ansible_collections/bastion/hardening pointing at this checkout."""
    root = COLLECTION_ROOT
    if (root.name, root.parent.name, root.parent.parent.name) == ("hardening", "bastion", "ansible_collections"):
        return str(root.parents[2])
    top = tmp_path_factory.mktemp("collections")
    link = top / "ansible_collections" / "bastion" / "hardening"
    link.parent.mkdir(parents=True)
    link.symlink_to(root, target_is_directory=True)
    return str(top)


INVENTORY = """\
[local]
alpha
beta

[local:vars]
ansible_connection=local
ansible_python_interpreter={python}

[down]
gamma ansible_connection=ssh ansible_host=127.0.0.1 ansible_port=1 ansible_ssh_common_args='-o ConnectTimeout=5'
"""

PLAYBOOK = """\
- name: Audit and harden
  hosts: all
  gather_facts: false
  tasks:
    - name: Audit
      ansible.builtin.set_fact:
        bastion_audit:
          schema: 1
          hostname: "{{ inventory_hostname }}"
          generated: "2025-03-01T10:00:00Z"
          duration: 0.2
          checks:
            - id: NET-01
              title: No telnet
              area: internet services
              severity: "{{ 'high' if inventory_hostname == 'alpha' else 'low' }}"
              status: fail
              evidence: ["<script>alert('evidence')</script> on 0.0.0.0:23"]
              remediation: {role: inetd, variables: [inetd_keep], text: Disable telnet.}
            - id: NET-02
              title: Wrapped
              area: internet services
              severity: medium
              status: pass
              evidence: []
              remediation: {role: inetd, variables: [], text: ""}
            - id: NET-03
              title: Not here
              area: authentication
              severity: info
              status: not_applicable
              evidence: []
              remediation: {role: null, variables: [], text: ""}

    - name: "TEST-01 | Write the marker file"
      ansible.builtin.copy:
        dest: "{{ marker_dir }}/{{ inventory_hostname }}.txt"
        content: "hardened\\n"
        mode: "0644"

    - name: Break beta
      ansible.builtin.fail:
        msg: beta is broken
      when: inventory_hostname == 'beta'
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "inventory.ini").write_text(INVENTORY.format(python=sys.executable))
    (tmp_path / "site.yml").write_text(PLAYBOOK)
    (tmp_path / "ansible.cfg").write_text("[defaults]\nretry_files_enabled = false\n")
    (tmp_path / "markers").mkdir()
    return tmp_path


def run_playbook(project, collections_path, *args, **env):
    binary = ansible_playbook()
    if not binary:
        pytest.skip("ansible-playbook is not on PATH")
    environ = dict(os.environ)
    for name in list(environ):
        if name.startswith(("ANSIBLE_", "BASTION_REPORT_")):
            del environ[name]
    environ.update(
        ANSIBLE_CONFIG=str(project / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=collections_path,
        ANSIBLE_CALLBACKS_ENABLED="bastion.hardening.compliance_report",
        ANSIBLE_LOCAL_TEMP=str(project / "tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_HOST_KEY_CHECKING="false",
        BASTION_REPORT_DIR=str(project / "reports"),
    )
    for name, value in env.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    cmd = [binary, "-i", "inventory.ini", "-e", "marker_dir=%s" % (project / "markers")]
    cmd.extend(args)
    return subprocess.run(cmd, cwd=project, env=environ, capture_output=True, text=True, timeout=180, check=False)


def test_real_check_run(project, collections_path):
    proc = run_playbook(project, collections_path, "--check", "--diff", "site.yml")
    # ansible-playbook's own exit code: a host unreachable (4) and one failed.
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "compliance_report: wrote" in proc.stdout
    assert list((project / "markers").iterdir()) == []
    report = json.loads((project / "reports" / "compliance.json").read_text())
    hosts = report["hosts"]
    assert sorted(hosts) == ["alpha", "beta", "gamma"]
    assert report["runs"][0]["check_mode"] is True
    assert report["runs"][0]["playbooks"] == ["site.yml"]

    alpha = hosts["alpha"]
    assert alpha["status"] == "audited"
    assert [(c["id"], c["status"], c["severity"]) for c in alpha["checks"]] == [
        ("NET-01", "fail", "high"),
        ("NET-02", "pass", "medium"),
        ("NET-03", "not_applicable", "info"),
    ]
    assert [d["id"] for d in alpha["drift"]] == ["TEST-01"]
    assert alpha["drift"][0]["task"] == "TEST-01 | Write the marker file"
    assert "+hardened\n" in alpha["drift"][0]["diff"]

    assert hosts["beta"]["status"] == "failed"
    assert hosts["beta"]["message"] == "Break beta: beta is broken"
    assert [d["id"] for d in hosts["beta"]["drift"]] == ["TEST-01"]

    gamma = hosts["gamma"]
    assert gamma["status"] == "unreachable"
    assert "port 1" in gamma["message"]
    assert gamma["drift"] == []

    root = ET.parse(str(project / "reports" / "compliance.junit.xml")).getroot()
    totals = report["totals"]
    host_errors = totals["host_status"]["failed"] + totals["host_status"]["unreachable"]
    assert int(root.get("tests")) == sum(totals["checks"].values()) + totals["drift"] + host_errors
    assert int(root.get("failures")) == totals["checks"]["fail"] + totals["drift"]
    assert int(root.get("errors")) == totals["checks"]["error"] + host_errors
    assert int(root.get("skipped")) == totals["checks"]["not_applicable"]
    assert [s.get("name") for s in root.findall("testsuite")] == ["alpha", "beta", "gamma"]

    page = (project / "reports" / "compliance.html").read_text()
    for text in ("alpha", "beta", "gamma", "NET-01", "NET-02", "NET-03", "TEST-01"):
        assert text in page
    assert "<script>alert" not in page
    assert page.count("<script") == 2


def test_real_run_without_check_records_no_drift(project, collections_path):
    proc = run_playbook(project, collections_path, "--limit", "alpha", "site.yml", BASTION_REPORT_FORMATS="json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [p.name for p in (project / "reports").iterdir()] == ["compliance.json"]
    report = json.loads((project / "reports" / "compliance.json").read_text())
    assert report["hosts"]["alpha"]["drift"] == []
    assert report["runs"][0]["limit"] == "alpha"
    assert (project / "markers" / "alpha.txt").read_text() == "hardened\n"


def test_real_fail_on_exit_code(project, collections_path):
    proc = run_playbook(
        project, collections_path, "--check", "--limit", "alpha,beta", "site.yml", BASTION_REPORT_FAIL_ON="high"
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr
    # The recap is printed, and the reports are written, before the run ends.
    assert "PLAY RECAP" in proc.stdout
    assert "compliance_report: wrote" in proc.stdout
    assert "compliance_report: 1 host(s) fail checks of severity high or worse: alpha (NET-01)." in proc.stderr
    assert "Traceback" not in proc.stderr
    assert (project / "reports" / "compliance.html").exists()


def test_real_fail_on_not_reached(project, collections_path):
    proc = run_playbook(
        project, collections_path, "--check", "--limit", "alpha", "site.yml", BASTION_REPORT_FAIL_ON="critical"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_real_options_from_ini(project, collections_path):
    (project / "ansible.cfg").write_text(
        textwrap.dedent(
            """\
            [defaults]
            retry_files_enabled = false

            [bastion_report]
            fail_on = low
            output_dir = ini-reports
            formats = json
            """
        )
    )
    proc = run_playbook(project, collections_path, "--check", "--limit", "alpha", "site.yml", BASTION_REPORT_DIR=None)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert [p.name for p in (project / "ini-reports").iterdir()] == ["compliance.json"]


def test_rpt_is_the_shared_module():
    assert compliance_report.rpt is rpt
