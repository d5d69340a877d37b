# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the bastion.hardening.audit_facts module, run through main()."""

from __future__ import annotations

import pytest
from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import Check, CommandRunner, passed
from ansible_collections.bastion.hardening.plugins.modules import audit_facts
from module_harness import fail_module, run_module


def run(args, check=False):
    return run_module(audit_facts.main, args, check=check)


@pytest.mark.parametrize("check", [False, True])
def test_facts_shape_and_check_mode(check):
    result = run({"only": ["TMP", "TCPW-01"], "smtp_relay_test": False}, check=check)
    assert result["changed"] is False
    facts = result["ansible_facts"]["bastion_audit"]
    assert sorted(facts) == ["checks", "duration", "generated", "hostname", "schema", "sockets", "totals", "walk"]
    assert facts["schema"] == 1
    assert [c["id"] for c in facts["checks"]] == ["TCPW-01", "TMP-01", "TMP-02", "TMP-03"]
    assert sum(facts["totals"].values()) == 4
    assert facts["generated"].endswith("Z") and len(facts["generated"]) == 20
    assert all(isinstance(s["port"], int) for s in facts["sockets"])
    # The walk only runs for the PERM checks that need it.
    assert facts["walk"] == {"files": 0, "directories": 0, "seconds": 0.0, "complete": False, "skipped_mounts": []}


def test_same_data_in_check_mode():
    normal = run({"only": ["TMP", "PERM-02", "PERM-03"]})["ansible_facts"]["bastion_audit"]
    checked = run({"only": ["TMP", "PERM-02", "PERM-03"]}, check=True)["ansible_facts"]["bastion_audit"]
    assert normal["checks"] == checked["checks"]
    assert normal["totals"] == checked["totals"]


@pytest.mark.parametrize(
    "args, message",
    [
        ({"trusted_networks": ["10.0.0.0/33"]}, "trusted_networks: invalid network '10.0.0.0/33'"),
        (
            {"allowed_services": ["tcp22"]},
            "allowed_services: invalid service 'tcp22' (expected proto/port like tcp/22)",
        ),
        ({"internal_addresses": ["localhost"]}, "internal_addresses: invalid address 'localhost'"),
        ({"walk_roots": ["relative"]}, "walk_roots: 'relative' is not an absolute path"),
    ],
)
def test_bad_options(args, message):
    assert fail_module(audit_facts.main, args)["msg"].startswith(message)


def test_walk_summary_and_bad_check(tmp_path):
    (tmp_path / "file").write_text("x")

    def explode(ctx):
        raise OSError(13, "Permission denied", "/etc/shadow")

    from ansible_collections.bastion.hardening.plugins.module_utils.audit import files

    checks = [
        Check("T-01", "explodes", "security audit", "low", explode),
        Check("PERM-07", "ww", "data protection", "high", files.perm_07_world_writable_files),
        Check("T-02", "fine", "security audit", "low", lambda ctx: passed("ok")),
    ]
    facts = audit_facts.audit({"walk_roots": [str(tmp_path)]}, checks=checks)
    assert [(c["id"], c["status"]) for c in facts["checks"]] == [
        ("T-01", "error"),
        ("PERM-07", "pass"),
        ("T-02", "pass"),
    ]
    assert facts["checks"][0]["evidence"] == [
        "check failed: PermissionError: [Errno 13] Permission denied: '/etc/shadow'"
    ]
    assert facts["walk"]["files"] == 1 and facts["walk"]["complete"] is True
    assert facts["totals"] == {"pass": 2, "fail": 0, "warn": 0, "not_applicable": 0, "error": 1}


def test_command_runner_prefetch():
    runner = CommandRunner()
    runner.start(["echo", "early"])
    assert runner(["echo", "early"]).out == "early\n"
    assert runner(["/nonexistent/program"]).rc == 127
    runner.start(["sleep", "5"])
    runner.close()
    assert runner.started == {}
