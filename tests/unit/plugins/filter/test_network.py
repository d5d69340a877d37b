# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the address, network and hosts_access(5) pattern filters.

The tcpd spellings asserted here were checked with tcpdmatch 7.6.q on Debian 11, 12 and 13:
'10.0.0.0/255.0.0.0', '10.0.0.0/8', '[::1]' and '[fe80::]/64' match; '10.0.0.1/8' and
'10.0.0.1/255.0.0.0' (host bits set) match no client at all.
"""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.bastion.hardening.plugins.filter.network import (
    FilterModule,
    in_networks,
    is_ip,
    is_network,
    is_tcpd_client,
    tcpd_client,
)


@pytest.mark.parametrize("value", ["127.0.0.1", "10.1.2.3", "::1", "fe80::1", "2001:db8::42", "::ffff:10.1.2.3"])
def test_is_ip_accepts_addresses(value):
    assert is_ip(value) is True


@pytest.mark.parametrize(
    "value",
    [
        "300.1.1.1",
        "10.0.0",
        "010.1.1.1",  # leading zero: octal on some parsers
        "10.0.0.1/32",
        "10.0.0.0/8",
        " 10.0.0.1",
        "10.0.0.1\n",
        "10.0.0.1\nALL",
        "fe80::1%eth0",
        "[::1]",
        "localhost",
        "",
        None,
        167772161,
        True,
        ["10.0.0.1"],
    ],
)
def test_is_ip_refuses(value):
    assert is_ip(value) is False


@pytest.mark.parametrize(
    "value",
    ["127.0.0.0/8", "10.0.0.0/255.0.0.0", "192.168.1.0/24", "10.1.2.3/32", "::1/128", "fd00::/8", "0.0.0.0/0"],
)
def test_is_network_accepts_networks(value):
    assert is_network(value) is True


@pytest.mark.parametrize(
    "value",
    [
        "10.0.0.0/33",
        "300.1.1.1/32",
        "10.0.0.1/8",  # host bits: tcpd would match nothing
        "10.0.0.1/255.0.0.0",
        "10.0.0.0/255.0.255.0",  # not a contiguous mask
        "10.0.0.1",  # an address is not a network
        "::1",
        "fd00::/129",
        "fd00::1/8",
        "10.0.0.0/8\n",
        "10.0.0.0/8 ",
        "10.0.0.0/ 8",
        "10.0.0.0/+8",
        "10.0.0.0//8",
        "10.0.0.0/",
        "/8",
        "host.example.com\n/8",
        "[fd00::]/8",
        None,
        8,
    ],
)
def test_is_network_refuses(value):
    assert is_network(value) is False


def test_in_networks():
    nets = ["10.0.0.0/8", "192.168.1.0/255.255.255.0", "fd00::/8"]
    assert in_networks("10.9.8.7", nets) is True
    assert in_networks("192.168.1.200", nets) is True
    assert in_networks("192.168.2.1", nets) is False
    assert in_networks("fd12::1", nets) is True
    assert in_networks("fe80::1", nets) is False
    # An IPv4 client seen by a dual-stack sshd.
    assert in_networks("::ffff:10.1.2.3", nets) is True
    assert in_networks("::ffff:11.1.2.3", nets) is False
    assert in_networks("10.1.2.3", []) is False


@pytest.mark.parametrize(
    "address, networks, message",
    [
        ("300.1.1.1", ["10.0.0.0/8"], "not an IP address: '300.1.1.1'"),
        ("10.1.2.3", ["10.0.0.1/8"], "not a network: '10.0.0.1/8'"),
        ("10.1.2.3", "10.0.0.0/8", "expected a list of networks"),
    ],
)
def test_in_networks_errors(address, networks, message):
    with pytest.raises(AnsibleFilterError, match=message.replace("[", r"\[").replace(".", r"\.")):
        in_networks(address, networks)


@pytest.mark.parametrize(
    "value, rendered",
    [
        ("ALL", "ALL"),
        ("local", "LOCAL"),
        ("PARANOID", "PARANOID"),
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "[::1]"),
        ("2001:0db8::0001", "[2001:db8::1]"),
        ("127.0.0.0/8", "127.0.0.0/255.0.0.0"),
        ("10.0.0.0/255.0.0.0", "10.0.0.0/255.0.0.0"),
        ("192.168.10.0/23", "192.168.10.0/255.255.254.0"),
        ("::1/128", "[::1]/128"),
        ("fd00::/8", "[fd00::]/8"),
        ("10.1.", "10.1."),
        ("host.example.com", "host.example.com"),
        ("mgmt1", "mgmt1"),
        (".example.com", ".example.com"),
        ("@admins", "@admins"),
        ("root@10.1.2.3", "root@10.1.2.3"),
        ("known@.example.com", "KNOWN@.example.com"),
        ("ops@fd00::/8", "ops@[fd00::]/8"),
        ("ALL@@admins", "ALL@@admins"),
    ],
)
def test_tcpd_client_renders(value, rendered):
    assert is_tcpd_client(value) is True
    assert tcpd_client(value) == rendered


@pytest.mark.parametrize(
    "value",
    [
        "10.0.0.0/33",
        "300.1.1.1",
        "10.0.0.1/8",
        "10.0.0",
        "256.1.",
        "127.0.0.1\nALL",  # a newline would start a new rule
        "ALL: ALL",
        "10.0.0.1:22",
        "a,b",
        "a b",
        "host;reboot",
        "host`id`",
        "$(id)",
        "host|mail",
        "host&",
        "host>x",
        "*.example.com",
        "host?",
        "[::1]",
        "/etc/trusted",
        "EXCEPT",
        "except",
        "root@",
        "@",
        "@net@x",
        "ro ot@10.1.2.3",
        "root@300.1.1.1",
        "-host",
        "",
        None,
        42,
    ],
)
def test_tcpd_client_refuses(value):
    assert is_tcpd_client(value) is False
    with pytest.raises(AnsibleFilterError, match="tcpd_client: not a client pattern"):
        tcpd_client(value)


def test_filter_module_lists_every_filter():
    assert sorted(FilterModule().filters()) == ["in_networks", "is_ip", "is_network", "is_tcpd_client", "tcpd_client"]
