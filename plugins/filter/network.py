# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that check addresses, networks and TCP wrappers client patterns.

Strict on purpose: a value that some parser would accept with a guess (a network with host
bits, an address with a scope or spaces around it, a pattern with a newline) is refused,
so a role can stop before it writes a configuration file. Documentation of each filter:
``plugins/filter/<name>.yml``.
"""

from __future__ import annotations

import ipaddress
import re

from ansible.errors import AnsibleFilterError

# hosts_access(5) wildcards that may stand for the client host.
TCPD_HOST_KEYWORDS = ("ALL", "LOCAL", "KNOWN", "UNKNOWN", "PARANOID")
# ... and for the user part of user@host.
TCPD_USER_KEYWORDS = ("ALL", "KNOWN", "UNKNOWN")

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(r"^%s(?:\.%s)*\.?$" % (_LABEL, _LABEL))
_DOMAIN = re.compile(r"^(?:\.%s)+$" % _LABEL)
_NETGROUP = re.compile(r"^@[A-Za-z0-9_][A-Za-z0-9._-]*$")
_USER = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")
_IPV4_PREFIX = re.compile(r"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){1,3}$")
_NUMERIC = re.compile(r"^[0-9.]+$")


def _is_plain_str(value):
    # bool and int are not addresses even though ipaddress accepts an int.
    return isinstance(value, str) and value == value.strip() and value != "" and "%" not in value


def _address(value):
    """The ipaddress object of a plain address string, or None."""
    if not _is_plain_str(value) or "/" in value:
        return None
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _network(value):
    """The ipaddress network of 'address/prefix' (or IPv4 'address/netmask'), or None.

    Host bits set ('10.0.0.1/8') are refused: tcpd compares (client & mask) with the
    network as written, so such a rule matches no client at all.
    """
    if not _is_plain_str(value) or value.count("/") != 1:
        return None
    addr, mask = value.split("/")
    if _address(addr) is None or not mask or not re.match(r"^[0-9.]+$", mask):
        return None
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError:
        return None


def is_ip(value):
    """True for one IPv4 or IPv6 address written plainly (no prefix, no scope, no spaces)."""
    return _address(value) is not None


def is_network(value):
    """True for a network 'address/prefix' (IPv4 also 'address/netmask') without host bits."""
    return _network(value) is not None


def in_networks(address, networks):
    """True when ``address`` lies in one of ``networks`` (IPv4-mapped IPv6 counts as IPv4)."""
    addr = _address(address)
    if addr is None:
        raise AnsibleFilterError("in_networks: not an IP address: %r" % (address,))
    if isinstance(networks, str) or not hasattr(networks, "__iter__"):
        raise AnsibleFilterError("in_networks: expected a list of networks, got %r" % (networks,))
    if addr.version == 6 and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    for item in networks:
        net = _network(item)
        if net is None:
            raise AnsibleFilterError("in_networks: not a network: %r" % (item,))
        if net.version == addr.version and addr in net:
            return True
    return False


def _tcpd_host(value):
    """The hosts_access(5) spelling of a host pattern, or None when it is not one we accept."""
    if not isinstance(value, str) or value != value.strip() or not value:
        return None
    if value.upper() in TCPD_HOST_KEYWORDS:
        return value.upper()
    addr = _address(value)
    if addr is not None:
        return str(addr) if addr.version == 4 else "[%s]" % addr.compressed
    net = _network(value)
    if net is not None:
        if net.version == 4:
            # n.n.n.n/m.m.m.m is what every tcpd 7.6 understands; /len is a Debian addition.
            return "%s/%s" % (net.network_address, net.netmask)
        return "[%s]/%d" % (net.network_address.compressed, net.prefixlen)
    if _IPV4_PREFIX.match(value):
        return value
    if _NUMERIC.match(value):
        return None  # looks like an address but is not one (300.1.1.1, 10.0.0)
    if value.upper() == "EXCEPT":
        return None
    if _NETGROUP.match(value) or _DOMAIN.match(value) or _HOSTNAME.match(value):
        return value
    return None


def _tcpd_client(value):
    if not isinstance(value, str):
        return None
    if "@" in value[1:]:
        user, host = value.split("@", 1) if not value.startswith("@") else (None, None)
        if user is None:
            return None
        if user.upper() in TCPD_USER_KEYWORDS:
            user = user.upper()
        elif not _USER.match(user):
            return None
        rendered = _tcpd_host(host)
        return None if rendered is None else "%s@%s" % (user, rendered)
    return _tcpd_host(value)


def is_tcpd_client(value):
    """True for a client pattern the tcp_wrappers role accepts (see tcpd_client)."""
    return _tcpd_client(value) is not None


def tcpd_client(value):
    """The hosts_access(5) spelling of a client pattern; error for anything else.

    Addresses and networks in the usual notation become tcpd's ('10.0.0.0/8' ->
    '10.0.0.0/255.0.0.0', '::1' -> '[::1]', 'fd00::/8' -> '[fd00::]/8'); keywords, host
    names, '.domain' suffixes, 'n.n.' address prefixes, '@netgroup' and 'user@host' pass.
    """
    rendered = _tcpd_client(value)
    if rendered is None:
        raise AnsibleFilterError("tcpd_client: not a client pattern: %r" % (value,))
    return rendered


class FilterModule:
    """Address, network and hosts_access(5) pattern filters."""

    def filters(self):
        return {
            "is_ip": is_ip,
            "is_network": is_network,
            "in_networks": in_networks,
            "is_tcpd_client": is_tcpd_client,
            "tcpd_client": tcpd_client,
        }
