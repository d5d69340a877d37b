"""Malformed input: the role must stop in validation, before any change, and name the
variable. One ansible-playbook run per target, over aliases of that target (one malformed
value each), through the docker connection.

The hardened files must come through unchanged: on the unhardened soft target, where the
drop-in is not there yet, the first assertion fails."""

import json
import re
import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role, run_playbook  # noqa: E402

testinfra_hosts = ["targets"]

FILES = "/etc/ssh/sshd_config /etc/ssh/sshd_config.d/50-bastion.conf"

# alias: (host vars, text the failure message must contain)
CASES = {
    "wrong-type": ({"ssh_max_auth_tries": "many"}, "ssh_max_auth_tries"),
    "out-of-range": ({"ssh_max_auth_tries": 50}, "ssh_max_auth_tries"),
    "unknown-choice": ({"ssh_permit_root_login": "yes"}, "ssh_permit_root_login"),
    "weak-cipher": ({"ssh_ciphers": ["aes256-gcm@openssh.com", "aes128-cbc"]}, "ssh_ciphers"),
    "unknown-kex": ({"ssh_kex": ["curve25519-sha265"]}, "ssh_kex"),
    "sha1-mac": ({"ssh_macs": ["hmac-sha1"]}, "ssh_macs"),
    "empty-ciphers": ({"ssh_ciphers": []}, "ssh_ciphers"),
    "string-not-list": ({"ssh_kex": "curve25519-sha256"}, "ssh_kex"),
    "newline-in-user": ({"ssh_allow_users": ["alice\nPermitRootLogin yes"]}, "ssh_allow_users"),
    "space-in-group": ({"ssh_allow_groups": ["root sshusers"]}, "ssh_allow_groups"),
    "cidr-listen-address": ({"ssh_listen_addresses": ["10.0.0.0/33"]}, "ssh_listen_addresses"),
    "network-as-listen-address": ({"ssh_listen_addresses": ["172.30.22.0/24"]}, "ssh_listen_addresses"),
    "groups-lock-out-root": ({"ssh_allow_groups": ["sshusers"]}, "ssh_allow_groups"),
    "no-key-no-password": (
        {"ssh_connecting_user": "nobody", "ssh_password_authentication": "no"},
        "ssh_password_authentication",
    ),
}


def fingerprint(host):
    # Content of the files and the entries of sshd_config.d (a new backup would show).
    return host.check_output("sha256sum %s; ls -a /etc/ssh /etc/ssh/sshd_config.d" % FILES)


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(host, tmp_path, SCENARIO, CASES, "SSH-", fingerprint, "test -f /etc/ssh/sshd_config.d/50-bastion.conf")


def test_an_earlier_dropin_that_would_win_is_refused(host, tmp_path):
    """Input the role accepts, on a host where an earlier drop-in sets PasswordAuthentication yes:
    sshd keeps the first value, so the role's would not be effective. The validate: of the
    drop-in (sshd -T on the whole configuration) must refuse the candidate and name the value."""
    variables = host.ansible.get_variables()
    policy = {key: variables[key] for key in ("ssh_allow_users", "ssh_allow_groups", "ssh_listen_addresses")}
    policy["ssh_max_auth_tries"] = 2  # a change, so that the drop-in is written
    early = "/etc/ssh/sshd_config.d/10-local.conf"
    host.check_output("printf 'PasswordAuthentication yes\\n' > %s" % early)
    try:
        listing = "ls -1 /etc/ssh/sshd_config.d"
        before, entries = host.check_output("sha256sum %s" % FILES), set(host.check_output(listing).splitlines())
        result = run_playbook(SCENARIO, variables["inventory_hostname"], tmp_path, {"early": (policy, "sshd-check")})
        assert host.check_output("sha256sum %s" % FILES) == before, "the files changed"
        new = set(host.check_output(listing).splitlines()) - entries
        # The template module keeps its backup before validate: runs; nothing else appears.
        assert all(re.match(r"^50-bastion\.conf\..*~$", name) for name in new), new
        stats = result["stats"]["early"]
        assert stats["failures"] == 1 and stats["changed"] == 0, stats
        failed = [t for t in result["plays"][0]["tasks"] if t["hosts"].get("early", {}).get("failed")]
        assert [t["task"]["name"] for t in failed][0].endswith(
            "SSH-01 | Write 50-bastion.conf (root login, passwords, "
            "algorithms, allowed users, listen addresses, session limits)"
        )
        assert "PasswordAuthentication no is not effective" in json.dumps(failed[0]["hosts"]["early"])
    finally:
        host.check_output("rm -f %s /etc/ssh/sshd_config.d/50-bastion.conf.*~" % early)
