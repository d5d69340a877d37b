"""Malformed input: the role must stop in validation, before any change, and name the
variable. One ansible-playbook run over aliases of the target (one malformed value each),
through the docker connection.

The persistent ruleset and the loaded tables must come through unchanged: on the unhardened
soft target, where there is no ruleset yet, the first assertion fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

testinfra_hosts = ["bastion-fw-target"]

# alias: (host vars, text the failure message must contain)
CASES = {
    "port-too-big": ({"firewall_rules": [{"ports": [70000]}]}, "firewall_rules[0].ports"),
    "range-reversed": ({"firewall_rules": [{"ports": ["1023:23"]}]}, "firewall_rules[0].ports"),
    "prefix-too-long": ({"bastion_management_networks": ["10.0.0.0/33"]}, "bastion_management_networks"),
    "host-bits-in-source": ({"firewall_rules": [{"sources": ["10.0.0.1/8"]}]}, "firewall_rules[0].sources"),
    "unknown-action": ({"firewall_rules": [{"ports": [80], "action": "allow"}]}, "firewall_rules"),
    "unknown-protocol": ({"firewall_rules": [{"protocol": "sctp"}]}, "firewall_rules"),
    "no-management-network": ({"firewall_management_networks": []}, "firewall_management_networks: empty"),
    "newline-in-interface": (
        {"firewall_rules": [{"interface": "eth0\n}\nflush ruleset"}]},
        "firewall_rules[0].interface",
    ),
    "quote-in-name": ({"firewall_rules": [{"name": 'web" accept'}]}, "firewall_rules[0].name"),
    "echo-drop-without-outside": ({"firewall_icmp_echo_drop": True}, "firewall_icmp_echo_drop"),
    "ipv6-masquerade": (
        {"firewall_masquerade": [{"source": "fd00::/8", "out_interface": "eth1"}]},
        "firewall_masquerade[0].source",
    ),
    "bad-log-rate": ({"firewall_log_rate": "5 per minute"}, "firewall_log_rate"),
    "ssh-port-zero": ({"firewall_ssh_ports": [0]}, "firewall_ssh_ports"),
    "short-timer": ({"firewall_confirm_timeout": 3}, "firewall_confirm_timeout"),
    "unknown-backend": ({"firewall_backend": "pf"}, "firewall_backend"),
}


def fingerprint(host):
    # The persistent file, the staged candidate, the state directory and the loaded tables.
    return host.check_output(
        "sha256sum /etc/nftables.conf /var/lib/bastion-firewall/*; ls /etc /var/lib/bastion-firewall;"
        " nft -s list table inet bastion_filter; nft -s list table ip bastion_nat"
    )


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(host, tmp_path, SCENARIO, CASES, "FW-", fingerprint, "nft list table inet bastion_filter")
