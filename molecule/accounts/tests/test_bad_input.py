"""Malformed input: the role must stop in validation, before any change, and name the
variable. On the unhardened soft target /etc/pam.d/su has no pam_wheel line: the probe fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import assert_rejected, check_role, run_playbook  # noqa: E402

testinfra_hosts = ["targets"]

FILES = (
    "/etc/login.defs /etc/pam.d/su /etc/pam.d/common-password /etc/passwd /etc/shadow /etc/group "
    "/etc/profile.d/bastion-tmout.sh /etc/profile.d/bastion-umask.sh"
)

CASES = {
    "wrong-type": ({"accounts_su_enabled": "perhaps"}, "accounts_su_enabled"),
    "short-minlen": ({"accounts_password_min_length": 4}, "accounts_password_min_length"),
    "days-as-text": ({"accounts_pass_max_days": "ninety"}, "accounts_pass_max_days"),
    "min-over-max": ({"accounts_pass_min_days": 7, "accounts_pass_max_days": 5}, "accounts_pass_min_days"),
    "zero-timeout": ({"accounts_tmout": 0}, "accounts_tmout"),
    "space-in-group": ({"accounts_su_group": "wheel deny"}, "accounts_su_group"),
    "newline-in-exempt": ({"accounts_login_exempt": ["ops\nroot"]}, "accounts_login_exempt"),
    "members-not-a-list": ({"accounts_su_members": "alice"}, "accounts_su_members"),
    "umask-unquoted": ({"accounts_umask": 23}, "accounts_umask"),
    "umask-too-weak": ({"accounts_umask": "022"}, "accounts_umask"),
    "unknown-action": ({"accounts_empty_password_action": "delete"}, "accounts_empty_password_action"),
}

# Refused by what the host says (still before any ACCT- task): not part of the pure CASES.
HOST_CASES = {
    "unknown-member": ({"accounts_su_members": ["nosuchuser"]}, "accounts_su_members"),
    "su-lockout": (
        {"accounts_connecting_user": "mallory", "ansible_become": True, "ansible_become_method": "su"},
        "accounts_su_group",
    ),
}


def fingerprint(host):
    return host.check_output("sha256sum %s" % FILES)


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(
        host,
        tmp_path,
        SCENARIO,
        CASES,
        "ACCT-",
        fingerprint,
        "grep -Eq '^auth[[:space:]]+required[[:space:]]+pam_wheel.so' /etc/pam.d/su",
    )


def test_host_dependent_refusals(host, tmp_path):
    before = fingerprint(host)
    result = run_playbook(SCENARIO, host.ansible.get_variables()["inventory_hostname"], tmp_path, HOST_CASES)
    assert fingerprint(host) == before
    assert_rejected(result, HOST_CASES, "ACCT-")


def test_broken_pam_candidate_is_never_left_in_place(host, tmp_path):
    # A candidate /etc/pam.d/su naming a module the host lacks (pam_wheel.so moved away) must be
    # refused by the role's PAM check, and the file on disk stay the one that works.
    module = host.check_output(
        "ls /lib/*/security/pam_wheel.so /usr/lib/*/security/pam_wheel.so 2>/dev/null | head -n 1"
    )
    assert module, "pam_wheel.so not found"
    before = host.check_output("sha256sum /etc/pam.d/su")
    cases = {"wheel-module-missing": ({"accounts_su_group": "suadmins"}, "pam_wheel.so' is not installed")}
    host.check_output("mv %s %s.away", module, module)
    try:
        result = run_playbook(SCENARIO, host.ansible.get_variables()["inventory_hostname"], tmp_path, cases)
    finally:
        host.run("mv %s.away %s", module, module)
        host.run("groupdel suadmins")
    assert host.check_output("sha256sum /etc/pam.d/su") == before
    tasks = result["plays"][0]["tasks"]
    failed = [
        t["task"]["name"].split(" : ")[-1] for t in tasks if t["hosts"].get("wheel-module-missing", {}).get("failed")
    ]
    assert failed == ["ACCT-04 | Write the pam_wheel line of /etc/pam.d/su", "ACCT-04 | Fail with the reason"], failed
    messages = " ".join(
        t["hosts"]["wheel-module-missing"].get("msg", "") for t in tasks if "wheel-module-missing" in t["hosts"]
    )
    assert "the file on disk is the previous one" in messages and "is not installed" in messages, messages
    assert host.run("su -s /bin/sh -c true root").rc == 0
