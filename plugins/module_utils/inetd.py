# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Parsers and policy for inetd.conf and xinetd.d service files.

Pure functions on text: no AnsibleModule, no file access, stdlib only. The
module ``bastion.hardening.inetd_conf`` reads the files, calls
``plan_inetd`` or ``plan_xinetd_file`` and writes what they return.

Runs on the target's python3 (Debian 11: Python 3.9): no match statements and
no ``X | Y`` unions outside annotations.
"""

from __future__ import annotations

import posixpath
import re

OFF_PREFIX = "#<off># "

SOCKET_TYPES = frozenset(("stream", "dgram", "raw", "rdm", "seqpacket"))
_IP_PROTOCOLS = ("tcp", "tcp4", "tcp6", "tcp46", "udp", "udp4", "udp6", "udp46")
PROTOCOLS = frozenset(_IP_PROTOCOLS + ("unix",) + tuple("rpc/" + p for p in _IP_PROTOCOLS))

_WAIT_RE = re.compile(r"^(?:wait|nowait)(?:\.\d+){0,2}$")
_ATTR_RE = re.compile(r"^(\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*)(\+=|-=|=)(\s*)(.*?)(\s*)$")
_BAD_NAME_RE = re.compile(r"[\s#/:]")


class InetdParseError(Exception):
    """A file that cannot be parsed; str() is the message for fail_json."""

    def __init__(self, path, lineno, why):
        self.path = path
        self.lineno = lineno
        self.why = why
        super().__init__("cannot parse %s line %d: %s" % (path, lineno, why))


class PolicyError(Exception):
    """Invalid keep/disable/no_wrap options."""


class Policy(object):
    """What the operator asked for: which services stay, which go, which get wrapped."""

    def __init__(self, keep=(), disable=(), disable_unlisted=True, wrap=True, no_wrap=(), tcpd_path="/usr/sbin/tcpd"):
        for option, names in (("keep", keep), ("disable", disable), ("no_wrap", no_wrap)):
            for name in names:
                if not name or _BAD_NAME_RE.search(name):
                    raise PolicyError(
                        "invalid service name in %s: %r (a name must not be empty nor contain "
                        "whitespace, '#', '/' or ':')" % (option, name)
                    )
        both = sorted(set(keep) & set(disable))
        if both:
            raise PolicyError("services both in keep and disable: %s" % ", ".join(both))
        self.keep = frozenset(keep)
        self.disable = frozenset(disable)
        self.disable_unlisted = disable_unlisted
        self.wrap = wrap
        self.no_wrap = frozenset(no_wrap)
        self.tcpd_path = tcpd_path

    def keeps(self, name):
        """True if an enabled service called ``name`` stays enabled."""
        if name in self.disable:
            return False
        return name in self.keep or not self.disable_unlisted

    def wraps(self, name):
        return self.wrap and name not in self.no_wrap


# ---------------------------------------------------------------- helpers


def split_lines(text):
    """Split on '\\n' only, keeping the line endings, so that join() gives ``text`` back."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _body(line):
    """A line without its line ending, and the ending."""
    body = line.rstrip("\r\n")
    return body, line[len(body) :]


def _unique(names):
    seen = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen


def summarize(services):
    """The ``disabled``, ``wrapped`` and ``enabled`` return values from a services list."""
    return {
        "disabled": _unique(s["name"] for s in services if s["action"] == "disabled"),
        "wrapped": _unique(s["name"] for s in services if s["action"] == "wrapped"),
        "enabled": _unique(s["name"] for s in services if s["enabled"]),
    }


# ---------------------------------------------------------------- inetd.conf


def bare_service_name(field, protocol):
    """The service name from an inetd.conf name field.

    ``127.0.0.1:telnet`` and ``[::1]:ftp`` lose the listen address, ``rstatd/1-3`` its
    RPC versions. A unix socket's name is its path and is returned as it is.
    """
    if protocol == "unix":
        return field
    name = field.rsplit(":", 1)[-1] if ":" in field else field
    if protocol.startswith("rpc/"):
        name = name.split("/", 1)[0]
    return name


class InetdEntry(object):
    """One service line of inetd.conf, enabled or ``#<off>#``-disabled."""

    def __init__(self, fields):
        self.fields = fields
        self.name_field, self.socket_type, self.protocol, self.wait, self.user = fields[:5]
        self.server = fields[5]
        self.argv = fields[6:]
        self.name = bare_service_name(self.name_field, self.protocol)

    @property
    def internal(self):
        return self.server == "internal"

    @property
    def rpc(self):
        return self.protocol.startswith("rpc/")

    def through_tcpd(self, tcpd_path):
        return self.server == tcpd_path or posixpath.basename(self.server) == "tcpd"

    def wrapped_line(self, tcpd_path):
        """The line with the server run through tcpd, tab separated, without line ending."""
        fields = self.fields[:5] + [tcpd_path, self.server] + self.argv[1:]
        return "\t".join(fields)


def parse_inetd_entry(body):
    """Parse an entry line (no comment, no line ending); return (InetdEntry, None) or (None, why)."""
    fields = body.split()
    if len(fields) < 6:
        return None, "expected at least 6 fields, found %d" % len(fields)
    if fields[1] not in SOCKET_TYPES:
        return None, "unknown socket type %r" % fields[1]
    if fields[2] not in PROTOCOLS:
        return None, "unknown protocol %r" % fields[2]
    if not _WAIT_RE.match(fields[3]):
        return None, "bad wait field %r (expected wait or nowait[.max[.perip]])" % fields[3]
    return InetdEntry(fields), None


def _is_address_line(body):
    """openbsd-inetd's ``address:`` line that sets the default listen address."""
    fields = body.split()
    return len(fields) == 1 and fields[0].endswith(":")


def parse_inetd(text, path):
    """Parse inetd.conf text into a list of (lineno, line, entry, enabled).

    ``entry`` is None for lines that are no service (comments, labels, blank lines,
    ``address:`` lines and commented lines that do not parse). Raises InetdParseError
    for an enabled line that cannot be parsed.
    """
    parsed = []
    previous_enabled = False
    for lineno, line in enumerate(split_lines(text), 1):
        body = _body(line)[0]
        stripped = body.strip()
        entry = None
        enabled = False
        if previous_enabled and stripped and body[0] in " \t":
            # BSD inetd reads such a line as more arguments of the entry above.
            raise InetdParseError(
                path, lineno, "continuation lines are not supported: join this line with the entry above"
            )
        if stripped.startswith("#<off>#"):
            entry = parse_inetd_entry(stripped[len("#<off>#") :])[0]
        elif stripped and not stripped.startswith("#") and not _is_address_line(stripped):
            entry, why = parse_inetd_entry(stripped)
            if entry is None:
                raise InetdParseError(path, lineno, why)
            enabled = True
        previous_enabled = enabled
        parsed.append((lineno, line, entry, enabled))
    return parsed


def _inetd_service(entry, path, lineno, enabled, action, tcpd_path):
    return {
        "name": entry.name,
        "file": path,
        "line": lineno,
        "enabled": enabled,
        "socket_type": entry.socket_type,
        "protocol": entry.protocol,
        "user": entry.user,
        "server": entry.server,
        "args": list(entry.argv),
        "internal": entry.internal,
        "wrapped": entry.through_tcpd(tcpd_path),
        "action": action,
    }


def plan_inetd(text, path, policy):
    """Apply ``policy`` to inetd.conf ``text``; return (new_text, services).

    Enabled entries that the policy does not keep become ``#<off># <line>``. Kept entries
    are rewritten through tcpd when the policy wraps them, unless they are internal,
    RPC or already run through tcpd. Nothing is ever enabled; every other line is kept
    byte for byte.
    """
    out = []
    services = []
    for lineno, line, entry, enabled in parse_inetd(text, path):
        if entry is None:
            out.append(line)
            continue
        if not enabled:
            action = "unchanged"
        elif not policy.keeps(entry.name):
            action = "disabled"
            line = OFF_PREFIX + line
            enabled = False
        elif (
            policy.wraps(entry.name)
            and not entry.internal
            and not entry.rpc
            and not entry.through_tcpd(policy.tcpd_path)
        ):
            action = "wrapped"
            line = entry.wrapped_line(policy.tcpd_path) + _body(line)[1]
            entry = parse_inetd_entry(line.strip())[0]
        else:
            action = "kept"
        out.append(line)
        services.append(_inetd_service(entry, path, lineno, enabled, action, policy.tcpd_path))
    return "".join(out), services


# ---------------------------------------------------------------- xinetd


def xinetd_skips(filename):
    """True for the file names that xinetd's includedir ignores."""
    return "." in filename or filename.endswith("~")


class XinetdBlock(object):
    """A ``service NAME { ... }`` block: its line numbers and attribute values."""

    def __init__(self, name, lineno):
        self.name = name
        self.lineno = lineno
        self.open_lineno = None
        self.attrs = {}
        self.disable_linenos = []

    @property
    def enabled(self):
        return self.attrs.get("disable", "").lower() != "yes"


def _is_comment_or_blank(stripped):
    return not stripped or stripped.startswith("#")


def parse_xinetd(text, path):
    """Parse one xinetd file; return (lines, blocks).

    ``defaults`` blocks are parsed for structure and not returned; ``include`` and
    ``includedir`` lines are kept and not followed. Raises InetdParseError on a missing
    ``{``, an unterminated block or an attribute line without ``=``.
    """
    lines = split_lines(text)
    blocks = []
    block = None  # the block being read, or waiting for its '{'
    is_service = False
    for lineno, line in enumerate(lines, 1):
        stripped = _body(line)[0].strip()
        if block is not None and block.open_lineno is None:
            if _is_comment_or_blank(stripped):
                continue
            if stripped != "{":
                raise InetdParseError(
                    path,
                    lineno,
                    "expected '{' after '%s' on line %d, found %r"
                    % (_body(lines[block.lineno - 1])[0].strip(), block.lineno, stripped),
                )
            block.open_lineno = lineno
        elif block is not None:
            if _is_comment_or_blank(stripped):
                continue
            if stripped == "}":
                if is_service:
                    blocks.append(block)
                block = None
                continue
            match = _ATTR_RE.match(_body(line)[0])
            if match is None and stripped.split()[0] in ("service", "defaults", "{"):
                raise InetdParseError(path, lineno, "block opened on line %d is not closed by '}'" % block.lineno)
            if match is None:
                raise InetdParseError(path, lineno, "attribute line without '=': %r" % stripped)
            key, operator, value = match.group(2), match.group(4), match.group(6)
            if key == "disable":
                block.disable_linenos.append(lineno)
            if operator == "=":
                block.attrs[key] = value
            elif operator == "+=":
                block.attrs[key] = (block.attrs.get(key, "") + " " + value).strip()
        else:
            if _is_comment_or_blank(stripped):
                continue
            words = stripped.split()
            if words[0] == "service" and len(words) == 2:
                block, is_service = XinetdBlock(words[1], lineno), True
            elif words == ["defaults"]:
                block, is_service = XinetdBlock("defaults", lineno), False
            elif words[0] in ("include", "includedir") and len(words) == 2:
                continue
            elif stripped == "{":
                raise InetdParseError(path, lineno, "'{' without 'service NAME' before it")
            else:
                raise InetdParseError(path, lineno, "expected 'service NAME', found %r" % stripped)
    if block is not None:
        if block.open_lineno is None:
            raise InetdParseError(
                path, block.lineno, "missing '{' after '%s'" % _body(lines[block.lineno - 1])[0].strip()
            )
        raise InetdParseError(path, block.lineno, "block opened here is not closed by '}' before the end of the file")
    return lines, blocks


def _disable_line(line):
    """The ``disable`` attribute line with its value set to ``yes``, spacing kept."""
    body, ending = _body(line)
    match = _ATTR_RE.match(body)
    return body[: match.start(6)] + "yes" + body[match.end(6) :] + ending


def plan_xinetd_file(text, path, policy):
    """Apply ``policy`` to one xinetd file; return (new_text, services).

    An enabled block that the policy does not keep gets ``disable = yes``: its existing
    disable lines get the value ``yes``, or ``\\tdisable\\t\\t= yes`` is inserted after
    its ``{``. xinetd does its own TCP wrapping (libwrap), so nothing is wrapped here and
    ``wrapped`` is None.
    """
    lines, blocks = parse_xinetd(text, path)
    replace = {}
    insert_after = {}
    services = []
    for block in blocks:
        enabled = block.enabled
        if not enabled:
            action = "unchanged"
        elif policy.keeps(block.name):
            action = "kept"
        else:
            action = "disabled"
            enabled = False
            if block.disable_linenos:
                for lineno in block.disable_linenos:
                    replace[lineno] = _disable_line(lines[lineno - 1])
            else:
                insert_after[block.open_lineno] = "\tdisable\t\t= yes\n"
        attrs = block.attrs
        services.append(
            {
                "name": block.name,
                "id": attrs.get("id"),
                "file": path,
                "line": block.lineno,
                "enabled": enabled,
                "socket_type": attrs.get("socket_type"),
                "protocol": attrs.get("protocol"),
                "user": attrs.get("user"),
                "server": attrs.get("server"),
                "args": attrs.get("server_args", "").split(),
                "internal": "INTERNAL" in attrs.get("type", "").upper().split(),
                "wrapped": None,
                "action": action,
            }
        )
    out = []
    for lineno, line in enumerate(lines, 1):
        out.append(replace.get(lineno, line))
        if lineno in insert_after:
            if not line.endswith("\n"):
                out[-1] = line + "\n"
            out.append(insert_after[lineno])
    return "".join(out), services
