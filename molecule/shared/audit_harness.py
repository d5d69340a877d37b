"""Shared by the scenarios' tests: the audit module's checks for a role's control IDs fail on
the soft target (the audit prepare took with audit_before.yml) and pass after converge (an
audit run now, with the same parameters, through the connection testinfra uses)."""

import json


def audit_before(host):
    """The audit audit_before.yml kept at the end of prepare: ({id: check result}, parameters)."""
    before = json.loads(host.file("/var/tmp/bastion-audit-before.json").content_string)
    return {c["id"]: c for c in before["checks"]}, before.get("params", {})


def audit_now(host, ids, params):
    """Run bastion.hardening.audit_facts on HOST for IDS: {id: check result}."""
    args = dict(params, only=list(ids))
    result = host.ansible("bastion.hardening.audit_facts", json.dumps(args), check=False)
    assert "ansible_facts" in result, result
    return {c["id"]: c for c in result["ansible_facts"]["bastion_audit"]["checks"]}


def assert_fail_then_pass(host, ids):
    """Each of IDS failed (or warned, for a check that only warns) before hardening and passes now."""
    before, params = audit_before(host)
    after = audit_now(host, ids, params)
    for check_id in ids:
        assert before[check_id]["status"] in ("fail", "warn"), ("before", check_id, before.get(check_id))
        assert after[check_id]["status"] == "pass", ("after", check_id, after.get(check_id))
