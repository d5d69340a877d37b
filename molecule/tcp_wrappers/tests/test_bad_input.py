"""Malformed input: the role must stop in validation, before any change, and name the
variable. One ansible-playbook run per target, over aliases of that target (one malformed
value each), through the docker connection.

The hardened files must come through unchanged: on the unhardened soft target, where the
files are not the role's yet, the first assertion fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

testinfra_hosts = ["targets"]
FILES = "/etc/hosts.allow /etc/hosts.deny"
FINGER = {"daemons": ["in.fingerd"], "clients": ["127.0.0.1"]}

# alias: (host vars, text the failure message must contain)
CASES = {
    "prefix-too-long": ({"tcp_wrappers_trusted_networks": ["10.0.0.0/33"]}, "tcp_wrappers_trusted_networks"),
    "host-bits": ({"bastion_management_networks": ["10.0.0.1/8"]}, "bastion_management_networks"),
    "not-an-address": ({"bastion_internal_addresses": ["300.1.1.1"]}, "bastion_internal_addresses"),
    "newline-in-client": (
        {"tcp_wrappers_allow": [{"daemons": ["in.fingerd"], "clients": ["127.0.0.1\nALL"]}]},
        "tcp_wrappers_allow[0]: clients",
    ),
    "colon-in-daemon": (
        {"tcp_wrappers_allow": [{"daemons": ["in.fingerd: ALL"], "clients": ["ALL"]}]},
        "tcp_wrappers_allow[0]: daemons",
    ),
    "shell-in-client": (
        {"tcp_wrappers_allow": [{"daemons": ["sshd"], "clients": ["127.0.0.1", "host;reboot"]}]},
        "tcp_wrappers_allow[0]: clients",
    ),
    "shell-in-except": (
        {"tcp_wrappers_allow": [FINGER, {"daemons": ["ALL"], "clients": ["ALL"], "except": ["$(id)"]}]},
        "tcp_wrappers_allow[1]: except",
    ),
    "newline-in-comment": (
        {"tcp_wrappers_allow": [dict(FINGER, comment="finger\nALL: ALL")]},
        "tcp_wrappers_allow[0]: comment",
    ),
    "shell-in-email": ({"tcp_wrappers_admin_email": "root; reboot"}, "tcp_wrappers_admin_email"),
    "percent-in-email": ({"bastion_admin_email": "root%d"}, "bastion_admin_email"),
    "relative-mail-command": ({"tcp_wrappers_mail_command": "mail -s x"}, "tcp_wrappers_mail_command"),
    "string-not-list": ({"tcp_wrappers_allow": "sshd: ALL"}, "tcp_wrappers_allow"),
}


def fingerprint(host):
    # Content of the two files and the number of hosts.* entries (a new backup would show).
    return host.check_output("sha256sum %s; ls /etc | grep -c '^hosts\\.'" % FILES)


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(
        host,
        tmp_path,
        SCENARIO,
        CASES,
        "TCPW-",
        fingerprint,
        "test \"$(grep -v '^#' /etc/hosts.deny | grep -c '^ALL: ALL$')\" = 1",
    )
