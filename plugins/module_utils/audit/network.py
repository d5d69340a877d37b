# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Listening sockets (NET) from /proc, and the packet filter (FW)."""

from __future__ import annotations

import os
import re
import socket

from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import (
    errored,
    failed,
    is_internal,
    not_applicable,
    passed,
    read_text,
    which,
)

PROTOCOLS = ("tcp", "tcp6", "udp", "udp6")
TCP_LISTEN = "0A"


def _decode_address(hexaddr, path, lineno):
    """A /proc/net address (host-order 32-bit words in hex) as text."""
    try:
        raw = bytes.fromhex(hexaddr)
    except ValueError:
        raw = b""
    if len(raw) not in (4, 16):
        raise ValueError("cannot parse %s line %d: bad address %r" % (path, lineno, hexaddr))
    swapped = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, swapped)


def _split_endpoint(field, path, lineno):
    addr, sep, port = field.partition(":")
    if not sep:
        raise ValueError("cannot parse %s line %d: bad endpoint %r" % (path, lineno, field))
    try:
        port = int(port, 16)
    except ValueError:
        raise ValueError("cannot parse %s line %d: bad port in %r" % (path, lineno, field)) from None
    return _decode_address(addr, path, lineno), port


def parse_proc_net(text, proto, path):
    """Listening sockets of one /proc/net/{tcp,tcp6,udp,udp6} file.

    TCP sockets in state LISTEN, UDP sockets with no remote end. Returns dicts with
    proto, address, port, wildcard and inode; raises ValueError naming the line that
    cannot be parsed.
    """
    sockets = []
    for lineno, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if lineno == 1 or not fields:
            continue
        if len(fields) < 10:
            raise ValueError(
                "cannot parse %s line %d: expected at least 10 fields, found %d" % (path, lineno, len(fields))
            )
        address, port = _split_endpoint(fields[1], path, lineno)
        remote_port = _split_endpoint(fields[2], path, lineno)[1]
        if proto.startswith("tcp") and fields[3] != TCP_LISTEN:
            continue
        if proto.startswith("udp") and remote_port != 0:
            continue
        if not fields[9].isdigit():
            raise ValueError("cannot parse %s line %d: bad inode %r" % (path, lineno, fields[9]))
        sockets.append(
            {
                "proto": proto,
                "address": address,
                "port": port,
                "wildcard": address in ("0.0.0.0", "::"),
                "inode": int(fields[9]),
            }
        )
    return sockets


def socket_owners(proc):
    """Map socket inode -> (pid, process name) from /proc/<pid>/fd links."""
    owners = {}
    for name in os.listdir(proc):
        if not name.isdigit():
            continue
        fd_dir = os.path.join(proc, name, "fd")
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue  # gone, or not ours to read
        comm = None
        for fd in fds:
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if target.startswith("socket:["):
                if comm is None:
                    try:
                        comm = read_text(os.path.join(proc, name, "comm")).strip()
                    except OSError:
                        comm = ""
                owners.setdefault(int(target[8:-1]), (int(name), comm or None))
    return owners


def read_sockets(proc="/proc"):
    """Listening sockets with their owning process, sorted; see parse_proc_net."""
    sockets = []
    for proto in PROTOCOLS:
        path = os.path.join(proc, "net", proto)
        try:
            text = read_text(path)
        except FileNotFoundError:
            continue  # no IPv6 in this kernel
        sockets.extend(parse_proc_net(text, proto, path))
    owners = socket_owners(proc) if sockets else {}
    unique = {}
    for sock in sockets:
        pid, process = owners.get(sock.pop("inode"), (None, None))
        sock["pid"], sock["process"] = pid, process
        key = (sock["proto"], sock["address"], sock["port"], pid)
        unique.setdefault(key, sock)
    return sorted(unique.values(), key=lambda s: (s["proto"], s["port"], s["address"], s["pid"] or 0))


def sockets(ctx):
    return ctx.cached("sockets", read_sockets, ctx.proc)


def describe_socket(sock):
    address = "[%s]" % sock["address"] if ":" in sock["address"] else sock["address"]
    owner = ""
    if sock["process"] or sock["pid"]:
        owner = " %s (pid %s)" % (sock["process"] or "?", sock["pid"])
    return "%s %s:%d%s" % (sock["proto"], address, sock["port"], owner)


def is_allowed(ctx, sock):
    return (sock["proto"].rstrip("6"), sock["port"]) in ctx.allowed


# ---------------------------------------------------------------- NET


def net_01_wildcard(ctx):
    """NET-01: no socket listens on every address unless its service is allowed."""
    found = sockets(ctx)
    bad = [describe_socket(s) for s in found if s["wildcard"] and not is_allowed(ctx, s)]
    if bad:
        return failed(*bad)
    return passed("%d listening sockets, none on a wildcard address outside allowed_services" % len(found))


def net_02_external(ctx):
    """NET-02: no socket listens on a non-internal address unless its service is allowed."""
    found = sockets(ctx)
    bad = [
        describe_socket(s)
        for s in found
        if not s["wildcard"] and not is_internal(ctx, s["address"]) and not is_allowed(ctx, s)
    ]
    if bad:
        return failed(*bad)
    return passed("%d listening sockets, none on a non-internal address outside allowed_services" % len(found))


# ---------------------------------------------------------------- FW

_NFT_DPORT_RE = re.compile(r"\bdport\s+(\{[^}]*\}|\S+)")


def parse_nft_ruleset(text):
    """Base chains and rules of ``nft list ruleset`` output.

    Returns a list of chains: dicts with table, name, hook (None for a regular chain),
    policy and rules (the rule lines).
    """
    chains = []
    table = chain = None
    depth = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if line.endswith("{"):
            depth += 1
            if words[0] == "table" and depth == 1:
                table = " ".join(words[1:-1])
            elif words[0] == "chain" and depth == 2:
                chain = {"table": table, "name": words[1], "hook": None, "policy": "accept", "rules": []}
                chains.append(chain)
            continue
        if line == "}":
            depth -= 1
            if depth < 2:
                chain = None
            continue
        if chain is None or depth != 2:
            continue
        if words[0] == "type" and "hook" in words:
            chain["hook"] = words[words.index("hook") + 1].rstrip(";")
            if "policy" in words:
                chain["policy"] = words[words.index("policy") + 1].rstrip(";")
        else:
            chain["rules"].append(line)
    return chains


def parse_iptables_save(text):
    """Chains of the filter table of ``iptables-save`` output, in parse_nft_ruleset's shape."""
    chains = {}
    table = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("*"):
            table = line[1:]
        elif table != "filter":
            continue
        elif line.startswith(":"):
            words = line[1:].split()
            builtin = words[0] in ("INPUT", "FORWARD", "OUTPUT")
            chains[words[0]] = {
                "table": "ip filter",
                "name": words[0],
                "hook": words[0].lower() if builtin else None,
                "policy": words[1].lower() if builtin else "accept",
                "rules": [],
            }
        elif line.startswith("-A "):
            name = line.split()[1]
            chains.setdefault(name, {"table": "ip filter", "name": name, "hook": None, "policy": "accept", "rules": []})
            chains[name]["rules"].append(line)
    return list(chains.values())


def _port_items(text):
    """(low, high) of each port or range in a dport match ('22', '{ 22, 1-21 }', '22,80', '1:21')."""
    out = []
    for item in re.split(r"[\s,{}]+", text):
        match = re.match(r"^(\d+)(?:[-:](\d+))?$", item)
        if match:
            out.append((int(match.group(1)), int(match.group(2) or match.group(1))))
        elif item == "ssh":
            out.append((22, 22))
    return out


def _ssh_rule(rule, ports=(22,)):
    """Whether RULE (nft or iptables-save) accepts TCP to one of PORTS."""
    words = rule.lower().split()
    if "accept" not in words and "-j accept" not in rule.lower():
        return False
    if "udp" in words and "tcp" not in words:
        return False
    items = []
    for match in _NFT_DPORT_RE.finditer(rule):
        items.extend(_port_items(match.group(1)))
    for match in re.finditer(r"--dports?\s+(\S+)", rule):
        items.extend(_port_items(match.group(1)))
    return any(low <= port <= high for low, high in items for port in ports)


def ssh_ports(ctx):
    """(ports sshd listens on over TCP, how they were found): its sockets, else 22."""
    try:
        found = sorted({s["port"] for s in sockets(ctx) if s["proto"].startswith("tcp") and s["process"] == "sshd"})
    except (OSError, ValueError):
        found = []
    if found:
        return found, "sshd listens on tcp port %s" % ", ".join(str(p) for p in found)
    return [22], "no listening sshd found: port 22 assumed"


def firewall_backend(ctx):
    """('nft'|'iptables'|None, path) of the packet filter tool present."""
    for name in ("nft", "iptables"):
        path = which(name)
        if path:
            return name, path
    return None, None


def read_ruleset(ctx):
    """(backend, chains) or raise RuntimeError saying why the rules cannot be read."""

    def load():
        backend = ctx.cached("fw_backend", firewall_backend, ctx)[0]
        if backend is None:
            return None, []
        argv = ["nft", "list", "ruleset"] if backend == "nft" else ["iptables-save"]
        res = ctx.run(argv)
        if res.rc != 0:
            why = (res.err or res.out).strip().splitlines()
            raise RuntimeError("%s: exit %d: %s" % (" ".join(argv), res.rc, why[-1] if why else "no output"))
        return backend, parse_nft_ruleset(res.out) if backend == "nft" else parse_iptables_save(res.out)

    return ctx.cached("fw_ruleset", load)


def _ruleset_or_result(ctx):
    """(backend, chains, None); or (None, None, the Result to report) without a ruleset."""
    try:
        backend, chains = read_ruleset(ctx)
    except RuntimeError as e:
        if "Operation not permitted" in str(e):
            # No CAP_NET_ADMIN (a container started without it): this host can have no packet
            # filter of its own; its host's filter is what guards it.
            return None, None, not_applicable("cannot read the ruleset without CAP_NET_ADMIN: %s" % e)
        return None, None, errored("cannot read the ruleset: %s" % e)
    if backend is None:
        return None, [], None
    return backend, chains, None


def fw_01_backend(ctx):
    """FW-01: nftables or iptables is installed."""
    backend, path = ctx.cached("fw_backend", firewall_backend, ctx)
    if backend is None:
        return failed("neither nft nor iptables found")
    return passed("%s: %s" % (backend, path))


def fw_02_input_policy(ctx):
    """FW-02: a base chain on the input hook drops by default (no packet filter: input accepted)."""
    backend, chains, unchecked = _ruleset_or_result(ctx)
    if unchecked is not None:
        return unchecked
    if backend is None:
        return failed("no packet filter tool installed (see FW-01): input is accepted")
    inputs = [c for c in chains if c["hook"] == "input"]
    evidence = ["%s chain %s: hook input policy %s" % (c["table"], c["name"], c["policy"]) for c in inputs]
    if any(c["policy"] == "drop" for c in inputs):
        return passed(*evidence)
    return failed(*(evidence or ["%s: no chain on the input hook, input is accepted" % backend]))


def fw_03_ssh_rule(ctx):
    """FW-03: a rule accepts SSH on the port sshd listens on, so a drop policy does not lock the operator out."""
    backend, chains, unchecked = _ruleset_or_result(ctx)
    if unchecked is not None:
        return unchecked
    ports, how = ssh_ports(ctx)
    if backend is None:
        return failed("no packet filter tool installed (see FW-01): no rule accepts SSH", how)
    candidates = [c for c in chains if c["hook"] in (None, "input", "prerouting")]
    rules = ["%s: %s" % (c["name"], r) for c in candidates for r in c["rules"] if _ssh_rule(r, ports)]
    if rules:
        return passed(how, *rules)
    if any(c["hook"] == "input" and c["policy"] == "drop" for c in chains):
        return failed(how, "input policy drop and no rule accepting SSH")
    return failed(how, "no rule accepting SSH (input is not filtered either)")
