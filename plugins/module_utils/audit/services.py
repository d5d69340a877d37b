# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Superserver services (INETD) and TCP wrappers (TCPW).

inetd.conf and xinetd files are read with the parsers of the ``inetd_conf`` module
(``module_utils.inetd``); a file they reject makes the check report ``error``.
"""

from __future__ import annotations

import os
import re

from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import (
    classify_client,
    failed,
    logical_lines,
    not_applicable,
    passed,
    read_optional,
    read_text,
    running_processes,
    scope_result,
    warned,
)
from ansible_collections.bastion.hardening.plugins.module_utils.inetd import (
    parse_inetd,
    parse_xinetd,
    xinetd_skips,
)

# The services the method disables (inetd role default); also the stems of legacy
# systemd socket units (telnet.socket, echo-stream.socket, finger@.socket).
LEGACY_SERVICES = [
    "echo",
    "discard",
    "daytime",
    "chargen",
    "time",
    "telnet",
    "gopher",
    "shell",
    "login",
    "exec",
    "talk",
    "ntalk",
    "pop2",
    "pop-2",
    "pop3",
    "pop-3",
    "imap",
    "imap2",
    "imap3",
    "uucp",
    "finger",
    "netstat",
    "systat",
    "linuxconf",
    "tftp",
    "auth",
    "ident",
    "rsh",
    "rlogin",
    "rexec",
]
_SOCKET_UNIT_RE = re.compile(
    r"^(%s)(-(stream|dgram|tcp|udp))?@?\.socket$" % "|".join(re.escape(n) for n in LEGACY_SERVICES)
)

# Packages of legacy services and the services each provides (inetd role's vars).
LEGACY_PACKAGES = {
    "telnetd": ["telnet"],
    "inetutils-telnetd": ["telnet"],
    "telnetd-ssl": ["telnet", "telnets"],
    "fingerd": ["finger"],
    "cfingerd": ["finger"],
    "efingerd": ["finger"],
    "talkd": ["talk", "ntalk"],
    "inetutils-talkd": ["talk", "ntalk"],
    "rsh-server": ["shell", "login", "exec"],
    "rsh-redone-server": ["shell", "login"],
    "tftpd": ["tftp"],
    "tftpd-hpa": ["tftp"],
    "atftpd": ["tftp"],
    "rstatd": ["rstatd"],
    "rusersd": ["rusersd"],
    "rwalld": ["walld"],
}
INETD_BINARIES = ("/usr/sbin/inetd", "/usr/sbin/openbsd-inetd", "/usr/sbin/inetutils-inetd")
XINETD_BINARIES = ("/usr/sbin/xinetd",)
SUPERSERVER_PROCESSES = ("inetd", "openbsd-inetd", "inetutils-inetd", "xinetd")
UNIT_DIRS = ("/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system")


def parse_services_file(text):
    """/etc/services as {(name or alias, proto): port}."""
    ports = {}
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) < 2 or "/" not in words[1]:
            continue
        port, proto = words[1].split("/", 1)
        if port.isdigit():
            for name in [words[0]] + words[2:]:
                ports.setdefault((name, proto), int(port))
    return ports


def _service_port(ports, name, proto):
    if name.isdigit():
        return int(name)
    return ports.get((name, proto))


def inetd_services(path="/etc/inetd.conf"):
    """Enabled services of inetd.conf as the inetd module reports them, or None without the file."""
    text = read_optional(path)
    if text is None:
        return None
    services = []
    for lineno, _line, entry, enabled in parse_inetd(text, path):
        if entry is not None and enabled:
            services.append(
                {
                    "name": entry.name,
                    "line": lineno,
                    "protocol": entry.protocol,
                    "internal": entry.internal,
                    "rpc": entry.rpc,
                    "tcpd": entry.through_tcpd("/usr/sbin/tcpd"),
                    "server": entry.server,
                }
            )
    return services


def xinetd_services(directory="/etc/xinetd.d"):
    """Enabled service blocks of the xinetd.d files, or None without the directory."""
    if not os.path.isdir(directory):
        return None
    services = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if xinetd_skips(name) or not os.path.isfile(path):
            continue
        for block in parse_xinetd(read_text(path), path)[1]:
            if block.enabled:
                services.append(
                    {
                        "name": block.name,
                        "file": path,
                        "line": block.lineno,
                        "protocol": block.attrs.get("protocol")
                        or ("udp" if block.attrs.get("socket_type") == "dgram" else "tcp"),
                        "port": block.attrs.get("port"),
                    }
                )
    return services


def _allowed_by_port(ctx, ports, name, proto, port=None):
    proto = proto.split("/")[-1].rstrip("46") or "tcp"
    number = int(port) if port and str(port).isdigit() else _service_port(ports, name, proto)
    return number is not None and (proto, number) in ctx.allowed


def _only_allowed_ports(ctx, where, services, services_file):
    """Fail on the enabled ``services`` (read from ``where``) whose port is not allowed.

    A service names its port, or /etc/services maps its name; an xinetd service also
    names the file it is in.
    """
    if services is None:
        return not_applicable("%s does not exist" % where)
    ports = parse_services_file(read_optional(services_file) or "")
    bad = [
        "%s line %d: %s/%s" % (s.get("file", where), s["line"], s["name"], s["protocol"])
        for s in services
        if not _allowed_by_port(ctx, ports, s["name"], s["protocol"], s.get("port"))
    ]
    if bad:
        return failed(*bad)
    return passed("%s: %d enabled services, all in allowed_services" % (where, len(services)))


def inetd_01_services(ctx, path="/etc/inetd.conf", services_file="/etc/services"):
    """INETD-01: only inetd.conf services whose port is in allowed_services are enabled."""
    return _only_allowed_ports(ctx, path, inetd_services(path), services_file)


def inetd_02_xinetd(ctx, directory="/etc/xinetd.d", services_file="/etc/services"):
    """INETD-02: only xinetd services whose port is in allowed_services are enabled."""
    return _only_allowed_ports(ctx, directory, xinetd_services(directory), services_file)


def legacy_socket_units(unit_dirs=UNIT_DIRS, etc_dir="/etc/systemd/system"):
    """{unit: state} of the legacy services' socket units: enabled, masked or disabled."""
    units = {}
    for directory in unit_dirs:
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            if _SOCKET_UNIT_RE.match(name):
                units.setdefault(name, "disabled")
    try:
        wants = [d for d in os.listdir(etc_dir) if d.endswith((".wants", ".requires"))]
    except OSError:
        wants = []
    for directory in wants:
        for name in os.listdir(os.path.join(etc_dir, directory)):
            if _SOCKET_UNIT_RE.match(name):
                units[name] = "enabled"
    for name in list(units):
        path = os.path.join(etc_dir, name)
        if os.path.islink(path) and os.readlink(path) == "/dev/null":
            units[name] = "masked"
    return units


def inetd_03_socket_units(ctx, unit_dirs=UNIT_DIRS, etc_dir="/etc/systemd/system"):
    """INETD-03: no systemd socket unit of a legacy service is enabled."""
    if not any(os.path.isdir(d) for d in unit_dirs):
        return not_applicable("no systemd unit directory")
    units = legacy_socket_units(unit_dirs, etc_dir)
    evidence = ["%s: %s" % (name, state) for name, state in sorted(units.items())]
    if any(state == "enabled" for state in units.values()):
        return failed(*evidence)
    return passed(*(evidence or ["no socket units of legacy services"]))


def inetd_04_tcpd(ctx, path="/etc/inetd.conf"):
    """INETD-04: enabled inetd.conf services (not internal, not RPC) run through tcpd."""
    services = inetd_services(path)
    if services is None:
        return not_applicable("%s does not exist" % path)
    bad = [
        "%s line %d: %s runs %s" % (path, s["line"], s["name"], s["server"])
        for s in services
        if not (s["internal"] or s["rpc"] or s["tcpd"])
    ]
    if bad:
        return failed(*bad)
    return passed("%s: %d enabled services, none bypasses tcpd" % (path, len(services)))


def _enabled_names(inetd_path, xinetd_dir):
    names = set()
    for services in (inetd_services(inetd_path), xinetd_services(xinetd_dir)):
        names.update(s["name"] for s in services or ())
    return names


def inetd_05_packages(ctx, inetd_path="/etc/inetd.conf", xinetd_dir="/etc/xinetd.d"):
    """INETD-05: no package of a legacy service stays installed with its services disabled."""
    packages = ctx.packages()
    if packages is None:
        return not_applicable("no dpkg database: package state unknown")
    enabled = _enabled_names(inetd_path, xinetd_dir)
    leftovers = [
        "%s installed, its services (%s) are not enabled" % (name, ", ".join(services))
        for name, services in sorted(LEGACY_PACKAGES.items())
        if name in packages and not enabled.intersection(services)
    ]
    if leftovers:
        return warned(*leftovers)
    return passed("no leftover legacy service packages")


def inetd_06_superserver(ctx, inetd_path="/etc/inetd.conf", xinetd_dir="/etc/xinetd.d"):
    """INETD-06: no superserver runs with nothing to serve."""
    running = sorted(
        "%s (pid %d)" % (comm, pid)
        for pid, comm in ctx.cached("processes", running_processes, ctx.proc).items()
        if comm in SUPERSERVER_PROCESSES
    )
    installed = ctx.installed(["openbsd-inetd", "inetutils-inetd", "xinetd"], INETD_BINARIES + XINETD_BINARIES)
    if not running and not installed:
        return not_applicable("no inetd or xinetd installed or running")
    enabled = _enabled_names(inetd_path, xinetd_dir)
    evidence = [
        "running: %s" % (", ".join(running) or "none"),
        "enabled services: %s" % (", ".join(sorted(enabled)) or "none"),
    ]
    if running and not enabled:
        return failed(*evidence)
    return passed(*evidence)


# ---------------------------------------------------------------- TCPW


def parse_hosts_access(text, path):
    """hosts.allow / hosts.deny rules: dicts with line, daemons, clients, options."""
    rules = []
    for start, body in logical_lines(text):
        if body.startswith("#"):
            continue
        parts = body.split(":")
        if len(parts) < 2:
            raise ValueError("cannot parse %s line %d: expected 'daemons : clients', found %r" % (path, start, body))
        # IPv6 patterns use brackets, so only the first two colons outside them split fields.
        fields = re.split(r":(?![^\[]*\])", body, maxsplit=2)
        rules.append(
            {
                "line": start,
                "daemons": fields[0].replace(",", " ").split(),
                "clients": fields[1].replace(",", " ").split(),
                "options": fields[2].strip() if len(fields) > 2 else "",
                "text": body,
            }
        )
    return rules


def _until_except(words):
    upper = [w.upper() for w in words]
    return words[: upper.index("EXCEPT")] if "EXCEPT" in upper else words


def tcpw_01_default_deny(ctx, path="/etc/hosts.deny"):
    """TCPW-01: hosts.deny denies everything not allowed: ALL: ALL."""
    text = read_optional(path)
    if text is None:
        return failed("%s does not exist" % path)
    for rule in parse_hosts_access(text, path):
        daemons = [w.upper() for w in rule["daemons"]]
        clients = [w.upper() for w in rule["clients"]]
        if "ALL" in daemons and "ALL" in clients and "EXCEPT" not in clients and "EXCEPT" not in daemons:
            return passed("%s line %d: %s" % (path, rule["line"], rule["text"]))
    return failed("%s has no 'ALL: ALL' rule" % path)


def tcpw_02_allow(ctx, path="/etc/hosts.allow"):
    """TCPW-02: hosts.allow grants access only to clients in trusted_networks."""
    text = read_optional(path)
    if text is None:
        return passed("%s does not exist: nothing granted" % path)
    rules = [
        r for r in parse_hosts_access(text, path) if "deny" not in [o.strip().lower() for o in r["options"].split(":")]
    ]
    if not rules:
        return passed("%s grants nothing" % path)
    worst = "trusted"
    evidence = []
    for rule in rules:
        scopes = set(classify_client(c, ctx.trusted) for c in _until_except(rule["clients"]))
        for scope in ("all", "untrusted", "unknown"):
            if scope in scopes:
                if worst == "trusted" or (worst == "unknown" and scope != "unknown"):
                    worst = scope
                break
        evidence.append("%s line %d: %s" % (path, rule["line"], rule["text"]))
    return scope_result(worst, evidence)
