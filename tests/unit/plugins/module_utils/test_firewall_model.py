# -*- coding: utf-8 -*-
"""The firewall role's data model: every problem named, and the nftables and iptables renderings."""

from __future__ import annotations

import copy

import pytest
from ansible_collections.bastion.hardening.plugins.module_utils import firewall

GOOD = {
    "policy": "deny",
    "management_networks": ["172.30.40.0/24", "fd00:40::/64"],
    "no_management": False,
    "ssh_ports": [2222],
    "rules": [
        {"name": "web", "ports": [80, "443"]},
        {"name": "legacy", "ports": ["1:21", "23:1023"], "action": "reject", "log": True},
        {"name": "x11", "ports": ["6000:6010"], "action": "drop", "sources": ["10.0.0.0/8", "fd00::/8"]},
        {"name": "snmp", "protocol": "udp", "ports": [161], "action": "reject"},
    ],
    "outside_interfaces": ["eth1"],
    "internal_networks": ["172.30.40.0/24"],
    "antispoofing": True,
    "icmp_echo_drop": True,
    "masquerade": [{"source": "172.30.40.0/24", "out_interface": "eth1"}],
    "log_rate": "5/minute",
    "names": {"management_networks": "bastion_management_networks"},
}


def model(**changes):
    out = copy.deepcopy(GOOD)
    out.update(changes)
    return out


def test_good_model_has_no_problems():
    assert firewall.problems(GOOD) == []


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"rules": [{"ports": [70000]}]}, "firewall_rules[0].ports: ports 1-65535 or ranges low:high, got [70000]"),
        ({"rules": [{"ports": ["30:20"]}]}, "firewall_rules[0].ports"),
        ({"rules": [{"ports": [True]}]}, "firewall_rules[0].ports"),
        ({"rules": [{"action": "allow"}]}, "firewall_rules[0].action: one of accept, drop, reject, got 'allow'"),
        ({"rules": [{"protocol": "sctp"}]}, "firewall_rules[0].protocol"),
        ({"rules": [{"protocol": "icmp", "ports": [1]}]}, "firewall_rules[0].ports: only a tcp or udp rule"),
        ({"rules": [{"sources": ["10.0.0.0/33"]}]}, "firewall_rules[0].sources: not networks"),
        ({"rules": [{"sources": ["10.0.0.1/8"]}]}, "firewall_rules[0].sources: not networks"),
        ({"rules": [{"interface": "eth0; flush ruleset"}]}, "firewall_rules[0].interface"),
        ({"rules": [{"name": 'x" accept'}]}, "firewall_rules[0].name"),
        ({"rules": [{"log_prefix": 'a"b'}]}, "firewall_rules[0].log_prefix"),
        ({"rules": [{"port": 22}]}, "firewall_rules[0]: unknown keys ['port']"),
        ({"rules": [{"protocol": "icmp", "sources": ["fd00::/8"]}]}, "firewall_rules[0].sources: IPv6 sources"),
        ({"management_networks": ["10.0.0.0/33"]}, "bastion_management_networks: not networks"),
        ({"management_networks": []}, "bastion_management_networks: empty"),
        ({"management_networks": "10.0.0.0/8"}, "bastion_management_networks: not a list"),
        ({"ssh_ports": ["22:23"]}, "firewall_ssh_ports"),
        ({"policy": "allow"}, "firewall_policy"),
        ({"outside_interfaces": [], "icmp_echo_drop": True, "antispoofing": False}, "firewall_icmp_echo_drop"),
        ({"masquerade": [{"source": "fd00::/8", "out_interface": "eth1"}]}, "firewall_masquerade[0].source"),
        ({"masquerade": [{"source": "10.0.0.0/8"}]}, "firewall_masquerade[0].out_interface"),
        ({"log_rate": "5/fortnight"}, "firewall_log_rate"),
        ({"internal_networks": ["300.0.0.0/8"]}, "firewall_internal_networks"),
    ],
)
def test_problems_name_the_variable(changes, expected):
    found = firewall.problems(model(**changes))
    assert any(p.startswith(expected) for p in found), found


def test_no_management_allowed_when_asked():
    assert firewall.problems(model(management_networks=[], no_management=True)) == []
    assert "management ssh" not in firewall.render_nft(model(management_networks=[], no_management=True))


def test_nft_rendering():
    text = firewall.render_nft(GOOD)
    lines = [line.strip() for line in text.splitlines()]
    # Replaces its own tables only, never "flush ruleset".
    assert "flush ruleset" not in text
    assert lines[5:9] == [
        "table inet bastion_filter",
        "delete table inet bastion_filter",
        "table ip bastion_nat",
        "delete table ip bastion_nat",
    ]
    assert "type filter hook input priority 0; policy drop;" in lines
    assert "type filter hook forward priority 0; policy drop;" in lines
    order = [
        'iifname "lo" accept comment "loopback"',
        'ct state established,related accept comment "established"',
        'ip saddr 172.30.40.0/24 tcp dport 2222 counter accept comment "management ssh"',
        'ip6 saddr fd00:40::/64 tcp dport 2222 counter accept comment "management ssh"',
        'tcp dport { 80, 443 } counter accept comment "web"',
        'tcp dport { 1-21, 23-1023 } limit rate 5/minute log prefix "fw reject: "',
        'tcp dport { 1-21, 23-1023 } counter reject with tcp reset comment "legacy"',
        'ip saddr 10.0.0.0/8 tcp dport 6000-6010 counter drop comment "x11"',
        'ip6 saddr fd00::/8 tcp dport 6000-6010 counter drop comment "x11"',
        'udp dport 161 counter reject with icmpx type port-unreachable comment "snmp"',
    ]
    assert [lines.index(line) for line in order] == sorted(lines.index(line) for line in order)
    # Anti-spoofing before conntrack, on the outside interface only, for both families.
    assert 'iifname "eth1" ip saddr { 127.0.0.0/8, 172.30.40.0/24 } counter drop comment "anti-spoofing ipv4"' in lines
    assert 'iifname "eth1" ip6 saddr ::1 counter drop comment "anti-spoofing ipv6"' in lines
    # Echo-request from outside: logged (limited) then dropped; the errors PMTU needs accepted before.
    errors = [i for i, line in enumerate(lines) if line.startswith("icmp type { destination-unreachable")]
    echo = lines.index('iifname "eth1" icmp type echo-request counter drop comment "echo-request from outside"')
    assert errors and errors[0] < echo
    assert "packet-too-big" in text
    assert 'oifname "eth1" ip saddr 172.30.40.0/24 counter masquerade comment "masquerade 172.30.40.0/24"' in lines


def test_nft_accept_policy_and_no_masquerade():
    text = firewall.render_nft(model(policy="accept", masquerade=[], icmp_echo_drop=False))
    assert "policy drop" not in text
    assert "icmp type echo-request accept" not in text  # accepted by the policy
    assert "table ip bastion_nat {" not in text
    # The nat table is still deleted: switching masquerading off takes it away.
    assert "delete table ip bastion_nat" in text


def test_reject_any_protocol():
    lines = firewall.render_nft(model(rules=[{"name": "all", "protocol": "any", "action": "reject"}])).splitlines()
    assert '\t\tmeta l4proto tcp counter reject with tcp reset comment "all"' in lines
    assert '\t\tcounter reject with icmpx type port-unreachable comment "all"' in lines


def test_iptables_rendering():
    v4 = firewall.render_iptables(GOOD, 4).splitlines()
    v6 = firewall.render_iptables(GOOD, 6).splitlines()
    assert ":INPUT DROP [0:0]" in v4 and ":INPUT DROP [0:0]" in v6
    assert '-A INPUT -s 172.30.40.0/24 -p tcp -m tcp --dport 2222 -m comment --comment "management ssh" -j ACCEPT' in v4
    assert '-A INPUT -s fd00:40::/64 -p tcp -m tcp --dport 2222 -m comment --comment "management ssh" -j ACCEPT' in v6
    assert '-A INPUT -p tcp -m tcp --dport 1:21 -m comment --comment "legacy" -j REJECT --reject-with tcp-reset' in v4
    assert (
        '-A INPUT -p udp -m udp --dport 161 -m comment --comment "snmp" -j REJECT --reject-with icmp6-port-unreachable'
        in v6
    )
    # An IPv4-only source stays out of the IPv6 file.
    assert not [line for line in v6 if "10.0.0.0/8" in line]
    assert '-A PREROUTING -i eth1 -s ::1 -m comment --comment "anti-spoofing ipv6" -j DROP' in v6
    assert "*nat" in v4 and "*nat" not in v6
    assert "-A INPUT -p ipv6-icmp -m ipv6-icmp --icmpv6-type packet-too-big" in "\n".join(v6)
    assert "--icmpv6-type neighbour-solicitation" in "\n".join(v6)
    assert v4.count("COMMIT") == 3 and v6.count("COMMIT") == 2


def test_parse_port():
    assert firewall.parse_port(22) == (22, 22)
    assert firewall.parse_port("1:21") == (1, 21)
    assert firewall.parse_port("6000-6010") == (6000, 6010)
    for bad in (0, 65536, "70000", "5:4", "", "22 ", None, True, 22.0):
        assert firewall.parse_port(bad) is None, bad
