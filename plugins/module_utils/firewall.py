# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One packet filter data model, checked, and rendered for nftables and for iptables.

The firewall role builds a model (a dict, see ``MODEL_KEYS``) from its variables, calls
``problems()`` before any change (each message starts with the variable it is about), and
renders the same model with ``render_nft()`` (one ``nft -f`` file) or ``render_iptables()``
(``iptables-restore`` and ``ip6tables-restore`` files). Both renderings manage only what is
the role's own: the nftables tables ``inet bastion_filter`` and ``ip``/``ip6 bastion_nat``
(other tables, e.g. a container engine's, are left alone), or the filter, raw (and, with
masquerading, nat) tables of iptables.
"""

from __future__ import annotations

import ipaddress
import re

ACTIONS = ("accept", "drop", "reject")
PROTOCOLS = ("tcp", "udp", "icmp", "icmpv6", "any")
POLICIES = ("deny", "accept")
FILTER_TABLE = "bastion_filter"
NAT_TABLE = "bastion_nat"

_IFACE = re.compile(r"^[A-Za-z0-9_.-]{1,15}\Z")
_NAME = re.compile(r"^[A-Za-z0-9 _.,:/+-]{1,64}\Z")
_PREFIX = re.compile(r"^[A-Za-z0-9 _.:/-]{1,28}\Z")
_RATE = re.compile(r"^([1-9][0-9]{0,5})/(second|minute|hour|day)\Z")
_PORT = re.compile(r"^([0-9]{1,5})(?::([0-9]{1,5}))?\Z")

# ICMP that must pass a default-deny input for IPv4 and IPv6 to work: errors (path MTU
# discovery needs destination-unreachable/fragmentation-needed and packet-too-big) and, for
# IPv6, neighbour discovery.
ICMP_ESSENTIAL = ("destination-unreachable", "time-exceeded", "parameter-problem")
ICMPV6_ESSENTIAL = (
    "destination-unreachable",
    "packet-too-big",
    "time-exceeded",
    "parameter-problem",
    "nd-router-solicit",
    "nd-router-advert",
    "nd-neighbor-solicit",
    "nd-neighbor-advert",
)
ICMPV6_IPTABLES = {
    "nd-router-solicit": "router-solicitation",
    "nd-router-advert": "router-advertisement",
    "nd-neighbor-solicit": "neighbour-solicitation",
    "nd-neighbor-advert": "neighbour-advertisement",
}

# Keys of a model, with the role variable each one comes from (for messages).
MODEL_KEYS = {
    "policy": "firewall_policy",
    "management_networks": "firewall_management_networks",
    "no_management": "firewall_i_know_no_management",
    "ssh_ports": "firewall_ssh_ports",
    "rules": "firewall_rules",
    "outside_interfaces": "firewall_outside_interfaces",
    "internal_networks": "firewall_internal_networks",
    "antispoofing": "firewall_antispoofing_enabled",
    "icmp_echo_drop": "firewall_icmp_echo_drop",
    "masquerade": "firewall_masquerade",
    "log_rate": "firewall_log_rate",
}


def _name(model, key):
    return model.get("names", {}).get(key, MODEL_KEYS.get(key, key))


def parse_network(value):
    """An ip_network from 'address', 'address/prefix' or IPv4 'address/netmask', or None.

    Strict: no spaces, no scope, no host bits.
    """
    if isinstance(value, bool) or not isinstance(value, str) or not value or value != value.strip():
        return None
    if "%" in value or value.count("/") > 1:
        return None
    if "/" in value and not re.match(r"^[0-9.]+\Z", value.split("/")[1]):
        return None
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError:
        return None


def parse_port(value):
    """(low, high) from 22, '22', '1:21' (or '1-21'), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    match = _PORT.match(value.replace("-", ":", 1))
    if not match:
        return None
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if not 1 <= low <= high <= 65535:
        return None
    return low, high


def _is_list(value):
    return isinstance(value, (list, tuple))


def _network_problems(label, values, nonempty=False):
    if not _is_list(values):
        return ["%s: not a list of networks: %r" % (label, values)]
    bad = [v for v in values if parse_network(v) is None]
    if bad:
        return ["%s: not networks (address/prefix or address/netmask, host bits zero): %r" % (label, bad)]
    if nonempty and not values:
        return ["%s: empty" % label]
    return []


def _rule_problems(label, rule):
    if not isinstance(rule, dict):
        return ["%s: not a mapping: %r" % (label, rule)]
    out = []
    known = {"name", "interface", "protocol", "ports", "sources", "action", "log", "log_prefix"}
    unknown = sorted(set(rule) - known)
    if unknown:
        out.append("%s: unknown keys %s (known: %s)" % (label, unknown, sorted(known)))
    name = rule.get("name")
    if name is not None and not (isinstance(name, str) and _NAME.match(name)):
        out.append("%s.name: up to 64 letters, digits, spaces and _.,:/+-, got %r" % (label, name))
    action = rule.get("action", "accept")
    if action not in ACTIONS:
        out.append("%s.action: one of %s, got %r" % (label, ", ".join(ACTIONS), action))
    proto = rule.get("protocol", "tcp")
    if proto not in PROTOCOLS:
        out.append("%s.protocol: one of %s, got %r" % (label, ", ".join(PROTOCOLS), proto))
    iface = rule.get("interface")
    if iface is not None and not (isinstance(iface, str) and _IFACE.match(iface)):
        out.append("%s.interface: an interface name (up to 15 of A-Z a-z 0-9 _.-), got %r" % (label, iface))
    ports = rule.get("ports", [])
    if not _is_list(ports):
        ports = [ports]
    bad_ports = [p for p in ports if parse_port(p) is None]
    if bad_ports:
        out.append("%s.ports: ports 1-65535 or ranges low:high, got %r" % (label, bad_ports))
    if ports and proto not in ("tcp", "udp"):
        out.append("%s.ports: only a tcp or udp rule has ports (protocol %r)" % (label, proto))
    out.extend(_network_problems("%s.sources" % label, rule.get("sources", [])))
    if proto in ("icmp", "icmpv6") and _is_list(rule.get("sources", [])):
        family = 4 if proto == "icmp" else 6
        other = [s for s in rule.get("sources", []) if parse_network(s) and parse_network(s).version != family]
        if other:
            out.append("%s.sources: IPv%d sources for protocol %s: %r" % (label, 10 - family, proto, other))
    if not isinstance(rule.get("log", False), bool):
        out.append("%s.log: true or false, got %r" % (label, rule.get("log")))
    prefix = rule.get("log_prefix")
    if prefix is not None and not (isinstance(prefix, str) and _PREFIX.match(prefix)):
        out.append("%s.log_prefix: up to 28 letters, digits, spaces and _.:/-, got %r" % (label, prefix))
    return out


def problems(model):
    """Every problem of a model, each message naming the variable; [] when it is good."""
    out = []
    policy = model.get("policy")
    if policy not in POLICIES:
        out.append("%s: one of %s, got %r" % (_name(model, "policy"), ", ".join(POLICIES), policy))
    mgmt = model.get("management_networks", [])
    out.extend(_network_problems(_name(model, "management_networks"), mgmt))
    if _is_list(mgmt) and not mgmt and not model.get("no_management"):
        out.append(
            "%s: empty: SSH would be open to no one and Ansible would lock itself out; set the management"
            " networks, or %s: true if this is really wanted"
            % (_name(model, "management_networks"), MODEL_KEYS["no_management"])
        )
    ssh = model.get("ssh_ports", [])
    if not _is_list(ssh) or [p for p in ssh if parse_port(p) is None or ":" in str(p) or "-" in str(p)]:
        out.append("%s: a list of ports 1-65535, got %r" % (_name(model, "ssh_ports"), ssh))
    rules = model.get("rules", [])
    if not _is_list(rules):
        out.append("%s: not a list of rules: %r" % (_name(model, "rules"), rules))
    else:
        for i, rule in enumerate(rules):
            out.extend(_rule_problems("%s[%d]" % (_name(model, "rules"), i), rule))
    outside = model.get("outside_interfaces", [])
    if not _is_list(outside) or [i for i in outside if not (isinstance(i, str) and _IFACE.match(i))]:
        out.append("%s: a list of interface names, got %r" % (_name(model, "outside_interfaces"), outside))
        outside = []
    out.extend(_network_problems(_name(model, "internal_networks"), model.get("internal_networks", [])))
    if model.get("icmp_echo_drop") and not outside:
        out.append(
            "%s: dropping echo-request from outside needs %s"
            % (_name(model, "icmp_echo_drop"), _name(model, "outside_interfaces"))
        )
    masq = model.get("masquerade", [])
    label = _name(model, "masquerade")
    if not _is_list(masq):
        out.append("%s: not a list: %r" % (label, masq))
    else:
        for i, entry in enumerate(masq):
            if not isinstance(entry, dict) or set(entry) - {"source", "out_interface"}:
                out.append("%s[%d]: a mapping with source and out_interface, got %r" % (label, i, entry))
                continue
            net = parse_network(entry.get("source"))
            if net is None or net.version != 4:
                out.append("%s[%d].source: an IPv4 network, got %r" % (label, i, entry.get("source")))
            iface = entry.get("out_interface")
            if not (isinstance(iface, str) and _IFACE.match(iface)):
                out.append("%s[%d].out_interface: an interface name, got %r" % (label, i, iface))
    rate = model.get("log_rate")
    if not (isinstance(rate, str) and _RATE.match(rate)):
        out.append("%s: N/second, N/minute, N/hour or N/day, got %r" % (_name(model, "log_rate"), rate))
    return out


# ---------------------------------------------------------------------------------------------
# Normalised rules: what both renderers walk.


def _split_sources(sources):
    """{4: [...], 6: [...]} of the networks in SOURCES (written without /32, /128)."""
    out = {4: [], 6: []}
    for value in sources or []:
        net = parse_network(value)
        text = str(net.network_address) if net.prefixlen == net.max_prefixlen else net.with_prefixlen
        out[net.version].append(text)
    return out


def _ports(rule):
    ports = rule.get("ports", [])
    if not _is_list(ports):
        ports = [ports]
    return [parse_port(p) for p in ports]


def _default_prefix(action):
    return "fw %s: " % action


def normalise(rule, index):
    proto = rule.get("protocol", "tcp")
    action = rule.get("action", "accept")
    return {
        "name": rule.get("name") or "rule %d" % index,
        "interface": rule.get("interface"),
        "protocol": proto,
        "ports": _ports(rule),
        "sources": _split_sources(rule.get("sources", [])),
        "any_source": not rule.get("sources"),
        "action": action,
        "log": rule.get("log", False),
        "log_prefix": rule.get("log_prefix") or _default_prefix(action),
    }


def _families(rule):
    """The families a rule applies to: [(version or None, sources)]; None = both, no address match."""
    if rule["protocol"] == "icmp":
        return [(4, rule["sources"][4])] if rule["any_source"] or rule["sources"][4] else []
    if rule["protocol"] == "icmpv6":
        return [(6, rule["sources"][6])] if rule["any_source"] or rule["sources"][6] else []
    if rule["any_source"]:
        return [(None, [])]
    return [(v, rule["sources"][v]) for v in (4, 6) if rule["sources"][v]]


def ssh_rules(model):
    """The management SSH rule as a normalised rule (one per model), or None."""
    mgmt = model.get("management_networks", [])
    ports = model.get("ssh_ports", [])
    if not mgmt or not ports:
        return None
    return {
        "name": "management ssh",
        "interface": None,
        "protocol": "tcp",
        "ports": [parse_port(p) for p in ports],
        "sources": _split_sources(mgmt),
        "any_source": False,
        "action": "accept",
        "log": False,
        "log_prefix": "",
    }


def _spoof_sources(model):
    nets = _split_sources(model.get("internal_networks", []))
    nets[4] = ["127.0.0.0/8"] + [n for n in nets[4] if n != "127.0.0.0/8"]
    nets[6] = ["::1"] + [n for n in nets[6] if n not in ("::1", "::1/128")]
    return nets


# ---------------------------------------------------------------------------------------------
# nftables


def _nft_set(items):
    items = list(items)
    return items[0] if len(items) == 1 else "{ %s }" % ", ".join(items)


def _nft_ports(ports):
    return _nft_set("%d" % lo if lo == hi else "%d-%d" % (lo, hi) for lo, hi in ports)


def _nft_reject(proto):
    if proto == "tcp":
        return "reject with tcp reset"
    return "reject with icmpx type port-unreachable"


def _nft_rule_lines(rule):
    lines = []
    for family, sources in _families(rule):
        match = []
        if rule["interface"]:
            match.append('iifname "%s"' % rule["interface"])
        if family == 4 and sources:
            match.append("ip saddr %s" % _nft_set(sources))
        elif family == 6 and sources:
            match.append("ip6 saddr %s" % _nft_set(sources))
        if rule["protocol"] in ("tcp", "udp"):
            if rule["ports"]:
                match.append("%s dport %s" % (rule["protocol"], _nft_ports(rule["ports"])))
            else:
                match.append("meta l4proto %s" % rule["protocol"])
        elif rule["protocol"] == "icmp":
            match.append("meta l4proto icmp")
        elif rule["protocol"] == "icmpv6":
            match.append("meta l4proto ipv6-icmp")
        if rule["action"] == "reject" and rule["protocol"] == "any":
            # reject with tcp reset only for TCP; everything else gets port unreachable.
            head = " ".join(match)
            if rule["log"]:
                lines.append(('%s limit rate %s log prefix "%s"' % (head, rule["rate"], rule["log_prefix"])).strip())
            lines.append(
                ('%s meta l4proto tcp counter reject with tcp reset comment "%s"' % (head, rule["name"])).strip()
            )
            lines.append(
                ('%s counter reject with icmpx type port-unreachable comment "%s"' % (head, rule["name"])).strip()
            )
            continue
        head = " ".join(match)
        if rule["log"]:
            lines.append(('%s limit rate %s log prefix "%s"' % (head, rule["rate"], rule["log_prefix"])).strip())
        verdict = _nft_reject(rule["protocol"]) if rule["action"] == "reject" else rule["action"]
        lines.append(('%s counter %s comment "%s"' % (head, verdict, rule["name"])).strip())
    return lines


def _with_rate(rules, rate):
    for rule in rules:
        rule["rate"] = rate
    return rules


def render_nft(model):
    """The nft -f file of MODEL (already checked with problems())."""
    rate = model["log_rate"]
    deny = model["policy"] == "deny"
    outside = model.get("outside_interfaces", [])
    rules = _with_rate([normalise(r, i) for i, r in enumerate(model.get("rules", []))], rate)
    ssh = ssh_rules(model)
    masq = model.get("masquerade", [])
    out = [
        "#!/usr/sbin/nft -f",
        "# Written by the bastion.hardening firewall role from its variables: do not edit, changes",
        "# are overwritten. Only the role's own tables are replaced; other tables are left alone.",
        "",
        "# Create then delete: replaces the tables whether they exist or not, in one transaction.",
        "table inet %s" % FILTER_TABLE,
        "delete table inet %s" % FILTER_TABLE,
        "table ip %s" % NAT_TABLE,
        "delete table ip %s" % NAT_TABLE,
        "",
        "table inet %s {" % FILTER_TABLE,
    ]
    if model.get("antispoofing") and outside:
        spoof = _spoof_sources(model)
        ifaces = _nft_set('"%s"' % i for i in outside)
        out += [
            "\tchain prerouting {",
            "\t\ttype filter hook prerouting priority -300; policy accept;",
        ]
        for family, keyword in ((4, "ip"), (6, "ip6")):
            match = "iifname %s %s saddr %s" % (ifaces, keyword, _nft_set(spoof[family]))
            out.append('\t\t%s limit rate %s log prefix "fw spoofed: "' % (match, rate))
            out.append('\t\t%s counter drop comment "anti-spoofing ipv%d"' % (match, family))
        out.append("\t}")
        out.append("")
    out += [
        "\tchain input {",
        "\t\ttype filter hook input priority 0; policy %s;" % ("drop" if deny else "accept"),
        '\t\tiifname "lo" accept comment "loopback"',
        '\t\tct state established,related accept comment "established"',
        '\t\tct state invalid counter drop comment "invalid"',
        '\t\ticmp type { %s } accept comment "icmp errors"' % ", ".join(ICMP_ESSENTIAL),
        '\t\ticmpv6 type { %s } accept comment "icmpv6 errors and neighbour discovery"' % ", ".join(ICMPV6_ESSENTIAL),
    ]
    if model.get("icmp_echo_drop") and outside:
        match = "iifname %s icmp type echo-request" % _nft_set('"%s"' % i for i in outside)
        out.append('\t\t%s limit rate %s log prefix "fw echo-request: "' % (match, rate))
        out.append('\t\t%s counter drop comment "echo-request from outside"' % match)
        match6 = "iifname %s icmpv6 type echo-request" % _nft_set('"%s"' % i for i in outside)
        out.append('\t\t%s limit rate %s log prefix "fw echo-request: "' % (match6, rate))
        out.append('\t\t%s counter drop comment "echo-request from outside ipv6"' % match6)
    if deny:
        out.append('\t\ticmp type echo-request accept comment "echo-request"')
        out.append('\t\ticmpv6 type echo-request accept comment "echo-request ipv6"')
    if ssh:
        ssh["rate"] = rate
        out += ["\t\t" + line for line in _nft_rule_lines(ssh)]
    for rule in rules:
        out += ["\t\t" + line for line in _nft_rule_lines(rule)]
    if deny:
        out.append('\t\tlimit rate %s log prefix "fw input drop: "' % rate)
    out += ["\t}", ""]
    out += [
        "\tchain forward {",
        "\t\ttype filter hook forward priority 0; policy %s;" % ("drop" if deny else "accept"),
    ]
    if masq:
        out.append('\t\tct state established,related accept comment "established"')
        for entry in masq:
            out.append(
                '\t\tiifname != "%s" oifname "%s" ip saddr %s counter accept comment "masquerade %s"'
                % (entry["out_interface"], entry["out_interface"], entry["source"], entry["source"])
            )
    out += ["\t}", ""]
    out += [
        "\tchain output {",
        "\t\ttype filter hook output priority 0; policy accept;",
        "\t}",
        "}",
    ]
    if masq:
        out += ["", "table ip %s {" % NAT_TABLE, "\tchain postrouting {"]
        out.append("\t\ttype nat hook postrouting priority 100; policy accept;")
        for entry in masq:
            out.append(
                '\t\toifname "%s" ip saddr %s counter masquerade comment "masquerade %s"'
                % (entry["out_interface"], entry["source"], entry["source"])
            )
        out += ["\t}", "}"]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# iptables


def _ipt_reject(proto, version):
    if proto == "tcp":
        return "-j REJECT --reject-with tcp-reset"
    return "-j REJECT --reject-with %s" % ("icmp-port-unreachable" if version == 4 else "icmp6-port-unreachable")


def _ipt_rule_lines(rule, version, chain="INPUT"):
    lines = []
    for family, sources in _families(rule):
        if family not in (None, version):
            continue
        for source in sources or [None]:
            for port in rule["ports"] or [None]:
                match = ["-A", chain]
                if rule["interface"]:
                    match += ["-i", rule["interface"]]
                if source:
                    match += ["-s", source]
                proto = rule["protocol"]
                if proto == "icmp":
                    match += ["-p", "icmp"]
                elif proto == "icmpv6":
                    match += ["-p", "ipv6-icmp"]
                elif proto in ("tcp", "udp"):
                    match += ["-p", proto]
                    if port:
                        lo, hi = port
                        match += ["-m", proto, "--dport", "%d" % lo if lo == hi else "%d:%d" % (lo, hi)]
                head = " ".join(match)
                comment = '-m comment --comment "%s"' % rule["name"]
                if rule["log"]:
                    lines.append(
                        '%s -m limit --limit %s -j LOG --log-prefix "%s"' % (head, rule["rate"], rule["log_prefix"])
                    )
                if rule["action"] == "accept":
                    lines.append("%s %s -j ACCEPT" % (head, comment))
                elif rule["action"] == "drop":
                    lines.append("%s %s -j DROP" % (head, comment))
                elif proto == "any":
                    lines.append("%s -p tcp %s %s" % (head, comment, _ipt_reject("tcp", version)))
                    lines.append("%s %s %s" % (head, comment, _ipt_reject("udp", version)))
                else:
                    lines.append("%s %s %s" % (head, comment, _ipt_reject(proto, version)))
    return lines


def render_iptables(model, version):
    """The iptables-restore (VERSION 4) or ip6tables-restore (6) file of MODEL."""
    rate = model["log_rate"]
    deny = model["policy"] == "deny"
    outside = model.get("outside_interfaces", [])
    rules = _with_rate([normalise(r, i) for i, r in enumerate(model.get("rules", []))], rate)
    ssh = ssh_rules(model)
    masq = model.get("masquerade", []) if version == 4 else []
    icmp = "icmp" if version == 4 else "ipv6-icmp"
    icmp_opt = "--icmp-type" if version == 4 else "--icmpv6-type"
    out = [
        "# Written by the bastion.hardening firewall role from its variables: do not edit, changes",
        "# are overwritten. Load with %s." % ("iptables-restore" if version == 4 else "ip6tables-restore"),
        "*raw",
        ":PREROUTING ACCEPT [0:0]",
        ":OUTPUT ACCEPT [0:0]",
    ]
    if model.get("antispoofing") and outside:
        for iface in outside:
            for net in _spoof_sources(model)[version]:
                head = "-A PREROUTING -i %s -s %s" % (iface, net)
                out.append('%s -m limit --limit %s -j LOG --log-prefix "fw spoofed: "' % (head, rate))
                out.append('%s -m comment --comment "anti-spoofing ipv%d" -j DROP' % (head, version))
    out += [
        "COMMIT",
        "*filter",
        ":INPUT %s [0:0]" % ("DROP" if deny else "ACCEPT"),
        ":FORWARD %s [0:0]" % ("DROP" if deny else "ACCEPT"),
        ":OUTPUT ACCEPT [0:0]",
        '-A INPUT -i lo -m comment --comment "loopback" -j ACCEPT',
        '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "established" -j ACCEPT',
        '-A INPUT -m conntrack --ctstate INVALID -m comment --comment "invalid" -j DROP',
    ]
    for name in ICMP_ESSENTIAL if version == 4 else ICMPV6_ESSENTIAL:
        name = ICMPV6_IPTABLES.get(name, name)
        out.append(
            '-A INPUT -p %s -m %s %s %s -m comment --comment "icmp errors" -j ACCEPT' % (icmp, icmp, icmp_opt, name)
        )
    if model.get("icmp_echo_drop") and outside:
        for iface in outside:
            head = "-A INPUT -i %s -p %s -m %s %s echo-request" % (iface, icmp, icmp, icmp_opt)
            out.append('%s -m limit --limit %s -j LOG --log-prefix "fw echo-request: "' % (head, rate))
            out.append('%s -m comment --comment "echo-request from outside" -j DROP' % head)
    if deny:
        out.append(
            '-A INPUT -p %s -m %s %s echo-request -m comment --comment "echo-request" -j ACCEPT'
            % (icmp, icmp, icmp_opt)
        )
    if ssh:
        ssh["rate"] = rate
        out += _ipt_rule_lines(ssh, version)
    for rule in rules:
        out += _ipt_rule_lines(rule, version)
    if deny:
        out.append('-A INPUT -m limit --limit %s -j LOG --log-prefix "fw input drop: "' % rate)
    if masq:
        out.append('-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "established" -j ACCEPT')
        for entry in masq:
            out.append(
                '-A FORWARD ! -i %s -o %s -s %s -m comment --comment "masquerade %s" -j ACCEPT'
                % (entry["out_interface"], entry["out_interface"], entry["source"], entry["source"])
            )
    out.append("COMMIT")
    if masq:
        out += [
            "*nat",
            ":PREROUTING ACCEPT [0:0]",
            ":INPUT ACCEPT [0:0]",
            ":OUTPUT ACCEPT [0:0]",
            ":POSTROUTING ACCEPT [0:0]",
        ]
        for entry in masq:
            out.append(
                '-A POSTROUTING -o %s -s %s -m comment --comment "masquerade %s" -j MASQUERADE'
                % (entry["out_interface"], entry["source"], entry["source"])
            )
        out.append("COMMIT")
    return "\n".join(out) + "\n"
