# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Result type, shared context, command runner and check runner of the audit engine.

A check is a function ``check(ctx, **paths)`` returning a ``Result``. What it reads is
a keyword parameter with the real path as default, so tests call it on fixtures; data
several checks share (sockets, the filesystem walk, installed packages) is computed once
through ``ctx.cached``; commands go through ``ctx.run`` so tests can feed captured output.
"""

from __future__ import annotations

import ipaddress
import os
import re
import subprocess
import time

STATUSES = ("pass", "fail", "warn", "not_applicable", "error")
SEVERITIES = ("critical", "high", "medium", "low", "info")
AREAS = (
    "authentication",
    "authorization",
    "data protection",
    "internet access",
    "internet services",
    "security audit",
    "incident handling",
)
# Evidence lists stay short: at most this many lines, then a count of the rest.
MAX_EVIDENCE = 40

SKIP_FSTYPES = (
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "proc",
    "sysfs",
    "devtmpfs",
    "devpts",
    "cgroup",
    "cgroup2",
    "securityfs",
    "debugfs",
    "tracefs",
    "fuse.*",
    "autofs",
    "binfmt_misc",
    "configfs",
    "pstore",
    "bpf",
    "efivarfs",
    "hugetlbfs",
    "mqueue",
    "fusectl",
    "rpc_pipefs",
    "nsfs",
)

# The SUID/SGID files of stock Debian 11, 12 and 13 servers: those found in the images
# bastion/systemd and bastion/softtarget (debian11/12/13) plus those of the packages of
# Debian's "standard system utilities" and "SSH server" tasks.
DEFAULT_SUID_ALLOWLIST = (
    "/bin/mount",
    "/bin/su",
    "/bin/umount",
    "/sbin/unix_chkpwd",
    "/usr/bin/chage",
    "/usr/bin/chfn",
    "/usr/bin/chsh",
    "/usr/bin/crontab",
    "/usr/bin/dotlockfile",
    "/usr/bin/expiry",
    "/usr/bin/fusermount",
    "/usr/bin/fusermount3",
    "/usr/bin/gpasswd",
    "/usr/bin/mlocate",
    "/usr/bin/mount",
    "/usr/bin/newgrp",
    "/usr/bin/passwd",
    "/usr/bin/pkexec",
    "/usr/bin/plocate",
    "/usr/bin/ssh-agent",
    "/usr/bin/su",
    "/usr/bin/umount",
    "/usr/bin/wall",
    "/usr/bin/write.ul",
    "/usr/lib/dbus-1.0/dbus-daemon-launch-helper",
    "/usr/lib/eject/dmcrypt-get-device",
    "/usr/lib/openssh/ssh-keysign",
    "/usr/lib/polkit-1/polkit-agent-helper-1",
    "/usr/lib/telnetlogin",
    "/usr/sbin/exim4",
    "/usr/sbin/unix_chkpwd",
)

DEFAULT_OPTIONS = {
    "internal_addresses": ["127.0.0.1", "::1"],
    "trusted_networks": ["127.0.0.0/8", "::1/128"],
    "allowed_services": ["tcp/22"],
    "suid_allowlist": list(DEFAULT_SUID_ALLOWLIST),
    "walk_roots": ["/"],
    "walk_time_budget": 60.0,
    "skip_fstypes": list(SKIP_FSTYPES),
    "log_size_threshold_mb": 100,
    "max_check_age_days": 2,
    "smtp_relay_test": True,
    "only": [],
    "skip": [],
}

LOOPBACK = ("127.0.0.0/8", "::1/128")
_SERVICE_RE = re.compile(r"^(tcp|udp)/(\d{1,5})$")


class OptionError(Exception):
    """An invalid option; the message names it."""


class Result(object):
    """The outcome of one check: a status and short evidence strings."""

    __slots__ = ("status", "evidence")

    def __init__(self, status, evidence=()):
        if status not in STATUSES:
            raise ValueError("unknown status %r" % (status,))
        self.status = status
        self.evidence = [str(item) for item in evidence]

    def __eq__(self, other):
        return isinstance(other, Result) and (self.status, self.evidence) == (other.status, other.evidence)

    def __repr__(self):
        return "Result(%r, %r)" % (self.status, self.evidence)


def passed(*evidence):
    return Result("pass", evidence)


def failed(*evidence):
    return Result("fail", evidence)


def warned(*evidence):
    return Result("warn", evidence)


def not_applicable(*evidence):
    return Result("not_applicable", evidence)


def errored(*evidence):
    return Result("error", evidence)


def shorten(items, limit=MAX_EVIDENCE):
    """At most ``limit`` items, the last one saying how many were left out."""
    items = list(items)
    if len(items) <= limit:
        return items
    return items[: limit - 1] + ["... and %d more" % (len(items) - limit + 1)]


class Check(object):
    """A check's fixed metadata and its function."""

    def __init__(self, check_id, title, area, severity, func, role=None, variables=(), text=""):
        if area not in AREAS:
            raise ValueError("%s: unknown area %r" % (check_id, area))
        if severity not in SEVERITIES:
            raise ValueError("%s: unknown severity %r" % (check_id, severity))
        self.id = check_id
        self.title = title
        self.area = area
        self.severity = severity
        self.func = func
        self.role = role
        self.variables = list(variables)
        self.text = text

    def report(self, result):
        return {
            "id": self.id,
            "title": self.title,
            "area": self.area,
            "severity": self.severity,
            "status": result.status,
            "evidence": shorten(result.evidence),
            "remediation": {"role": self.role, "variables": list(self.variables), "text": self.text},
        }


# ---------------------------------------------------------------- commands


class CommandResult(object):
    __slots__ = ("rc", "out", "err")

    def __init__(self, rc, out="", err=""):
        self.rc = rc
        self.out = out
        self.err = err


def _env():
    return dict(os.environ, LC_ALL="C", LANG="C")


def run_command(argv, timeout=30):
    """Run ``argv`` in the C locale; a missing program gives rc 127, a timeout rc 124."""
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env()
        )
    except OSError as e:
        return CommandResult(127, "", "%s: %s" % (argv[0], e.strerror or e))
    return _collect(proc, argv, timeout)


def _collect(proc, argv, timeout):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return CommandResult(124, "", "%s: timed out after %d s" % (argv[0], timeout))
    return CommandResult(proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


class CommandRunner(object):
    """``run_command`` that can start slow commands early and collect them when asked."""

    def __init__(self, timeout=30):
        self.timeout = timeout
        self.started = {}

    def start(self, argv):
        key = tuple(argv)
        if key not in self.started:
            try:
                self.started[key] = subprocess.Popen(
                    argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env()
                )
            except OSError:
                return  # __call__ runs it again and reports why it cannot

    def __call__(self, argv):
        proc = self.started.pop(tuple(argv), None)
        if proc is None:
            return run_command(argv, self.timeout)
        return _collect(proc, argv, self.timeout)

    def close(self):
        for proc in self.started.values():
            proc.kill()
            proc.communicate()
        self.started.clear()


def which(name, dirs=("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin")):
    """The first executable ``name`` in ``dirs``, or None."""
    for directory in dirs:
        path = os.path.join(directory, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


# ---------------------------------------------------------------- context


class Context(object):
    """Options, the command runner, the clock and a cache of host data shared by checks."""

    def __init__(self, options=None, run=run_command, proc="/proc", now=None, dpkg_status="/var/lib/dpkg/status"):
        self.options = dict(DEFAULT_OPTIONS)
        self.options.update(options or {})
        self.run = run
        self.proc = proc
        self.dpkg_status = dpkg_status
        self.now = time.time() if now is None else now
        self.cache = {}

    def cached(self, key, func, *args):
        if key not in self.cache:
            self.cache[key] = func(*args)
        return self.cache[key]

    def packages(self):
        """Installed Debian packages, name -> version; None on a host without dpkg."""
        return self.cached("packages", read_dpkg_status, self.dpkg_status)

    def installed(self, names, paths=()):
        """Which of the packages ``names`` are installed; without dpkg, which ``paths`` exist."""
        packages = self.packages()
        if packages is None:
            return [path for path in paths if os.path.exists(path)]
        return [name for name in names if name in packages]

    @property
    def trusted(self):
        return self.cached("trusted", parse_networks, self.options["trusted_networks"], "trusted_networks")

    @property
    def internal(self):
        return self.cached("internal", parse_addresses, self.options["internal_addresses"], "internal_addresses")

    @property
    def internal_networks(self):
        """internal_addresses as host networks, plus the loopback networks."""
        return self.cached(
            "internal_networks",
            lambda: [ipaddress.ip_network(a) for a in self.internal] + parse_networks(LOOPBACK, "loopback"),
        )

    @property
    def local_networks(self):
        """The networks this host is attached to (BIND's localnets), from the kernel's routes."""
        return self.cached("local_networks", attached_networks, self.proc)

    @property
    def allowed(self):
        return self.cached("allowed", parse_services, self.options["allowed_services"], "allowed_services")


# ---------------------------------------------------------------- small readers


def attached_networks(proc="/proc"):
    """Networks reached without a gateway (directly attached), from PROC/net/route and ipv6_route.

    The kernel's own view, as BIND's localnets sees it; loopback and multicast routes left out.
    A missing file (no IPv6, no /proc) contributes nothing."""
    networks = []
    route = read_optional(os.path.join(proc, "net", "route")) or ""
    for line in route.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 8 or fields[0] == "lo":
            continue
        destination, gateway, flags, mask = fields[1], fields[2], int(fields[3], 16), fields[7]
        if flags & 0x2 or int(gateway, 16) != 0 or int(destination, 16) == 0:
            continue  # via a gateway, or the default route
        # Little-endian hex, as the kernel prints them.
        address = ipaddress.IPv4Address(int.from_bytes(bytes.fromhex(destination), "little"))
        prefix = bin(int.from_bytes(bytes.fromhex(mask), "little")).count("1")
        networks.append(ipaddress.ip_network("%s/%d" % (address, prefix), strict=False))
    route6 = read_optional(os.path.join(proc, "net", "ipv6_route")) or ""
    for line in route6.splitlines():
        fields = line.split()
        if len(fields) < 10 or fields[9] == "lo":
            continue
        destination, prefix, gateway, flags = fields[0], int(fields[1], 16), fields[4], int(fields[8], 16)
        if flags & 0x2 or int(gateway, 16) != 0 or prefix == 0:
            continue
        network = ipaddress.ip_network("%s/%d" % (ipaddress.IPv6Address(int(destination, 16)), prefix), strict=False)
        if network.is_multicast or network.prefixlen == 128:
            continue  # multicast, and the host's own /128 entries (local table)
        networks.append(network)
    return sorted(set(networks), key=lambda n: (n.version, n))


def read_text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "surrogateescape")


def read_optional(path):
    """The file's text, or None when it does not exist."""
    try:
        return read_text(path)
    except FileNotFoundError:
        return None


def logical_lines(text, clean=str.strip):
    """(first line number, text) of each non-empty logical line of ``text``.

    ``clean`` turns a physical line into its content (by default: stripped); a content
    ending in a backslash continues on the next line. A continuation left open at the end
    of the text is dropped.
    """
    pending, start = "", 0
    for lineno, line in enumerate(text.splitlines(), 1):
        if not pending:
            start = lineno
        stripped = clean(line)
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        body = (pending + stripped).strip()
        pending = ""
        if body:
            yield start, body


def read_dpkg_status(path):
    """Parse dpkg's status file into {name: version} of the installed packages (None: no file)."""
    text = read_optional(path)
    if text is None:
        return None
    packages = {}
    for stanza in text.split("\n\n"):
        name = version = None
        installed = False
        for line in stanza.split("\n"):
            if line.startswith("Package: "):
                name = line[9:].strip()
            elif line.startswith("Status: "):
                installed = line.split()[-1] == "installed"
            elif line.startswith("Version: "):
                version = line[9:].strip()
        if name and installed:
            packages[name] = version
    return packages


def read_id_names(path):
    """Map of names to numeric ids, and the set of ids, of /etc/passwd or /etc/group."""
    names = {}
    text = read_optional(path) or ""
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) >= 3 and fields[2].isdigit() and not line.startswith("#"):
            names[fields[0]] = int(fields[2])
    return names


# ---------------------------------------------------------------- addresses


def parse_networks(values, option):
    nets = []
    for value in values:
        try:
            nets.append(ipaddress.ip_network(str(value), strict=False))
        except ValueError as e:
            raise OptionError("%s: invalid network %r: %s" % (option, value, e)) from None
    return nets


def parse_addresses(values, option):
    addrs = []
    for value in values:
        try:
            addrs.append(ipaddress.ip_address(str(value)))
        except ValueError as e:
            raise OptionError("%s: invalid address %r: %s" % (option, value, e)) from None
    return addrs


def parse_services(values, option):
    services = set()
    for value in values:
        match = _SERVICE_RE.match(str(value).strip().lower())
        if not match or not 0 < int(match.group(2)) < 65536:
            raise OptionError("%s: invalid service %r (expected proto/port like tcp/22)" % (option, value))
        services.add((match.group(1), int(match.group(2))))
    return services


def normal_address(addr):
    """An ip_address with IPv4-mapped IPv6 addresses turned into IPv4."""
    if isinstance(addr, str):
        addr = ipaddress.ip_address(addr.split("%", 1)[0])
    if addr.version == 6 and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def in_networks(addr, networks):
    addr = normal_address(addr)
    return any(addr.version == net.version and addr in net for net in networks)


def is_internal(ctx, addr):
    """An address services may bind to: in internal_addresses, or a loopback address."""
    addr = normal_address(addr)
    return addr.is_loopback or addr in ctx.internal


def validate_options(options):
    """Raise OptionError for an invalid option value."""
    parse_networks(options["trusted_networks"], "trusted_networks")
    parse_addresses(options["internal_addresses"], "internal_addresses")
    parse_services(options["allowed_services"], "allowed_services")
    for option in ("walk_time_budget", "log_size_threshold_mb", "max_check_age_days"):
        if options[option] < 0:
            raise OptionError("%s: must not be negative, got %r" % (option, options[option]))
    for root in options["walk_roots"]:
        if not os.path.isabs(root):
            raise OptionError("walk_roots: %r is not an absolute path" % (root,))
    for path in options["suid_allowlist"]:
        if not os.path.isabs(path):
            raise OptionError("suid_allowlist: %r is not an absolute path" % (path,))


# ---------------------------------------------------------------- runner


def selected(check_id, only, skip):
    """Whether ``check_id`` runs: ``only`` and ``skip`` hold IDs (NET-01) or prefixes (NET)."""

    def matches(patterns):
        for pattern in patterns:
            pattern = pattern.upper().rstrip("-")
            if check_id == pattern or check_id.startswith(pattern + "-"):
                return True
        return False

    if only and not matches(only):
        return False
    return not matches(skip)


def describe_error(e):
    text = str(e)
    return "%s: %s" % (type(e).__name__, text) if text else type(e).__name__


def run_checks(checks, ctx):
    """Run the selected checks; an exception in one becomes its status ``error``."""
    reports = []
    for check in checks:
        if not selected(check.id, ctx.options["only"], ctx.options["skip"]):
            continue
        try:
            result = check.func(ctx)
            if not isinstance(result, Result):
                raise TypeError("check returned %r instead of a Result" % (result,))
        except Exception as e:  # one bad check must not stop the audit
            result = errored("check failed: %s" % describe_error(e))
        reports.append(check.report(result))
    return reports


def totals(reports):
    counts = dict((status, 0) for status in STATUSES)
    for report in reports:
        counts[report["status"]] += 1
    return counts


def file_age_days(path, now):
    """Days since ``path`` was modified, or None when it does not exist."""
    try:
        return (now - os.stat(path).st_mtime) / 86400.0
    except FileNotFoundError:
        return None


def classify_client(pattern, trusted):
    """How far a hosts_access(5) or smb.conf client pattern reaches.

    ``all`` (ALL, *), ``trusted`` (inside ``trusted`` networks, or LOCAL), ``untrusted``
    (an address or network reaching outside them) or ``unknown`` (host and domain names,
    netgroups, files: not decidable from the configuration alone).
    """
    word = pattern.strip()
    upper = word.upper()
    if upper in ("ALL", "*", "0.0.0.0/0", "::/0", "[::]/0"):
        return "all"
    if upper == "LOCAL":
        return "trusted"
    if upper in ("KNOWN", "UNKNOWN", "PARANOID") or word[:1] in ("@", "/", ".") or "*" in word or "?" in word:
        return "unknown"
    text = word.replace("[", "").replace("]", "")
    if re.match(r"^\d{1,3}(\.\d{1,3}){0,2}\.$", text):
        octets = text.rstrip(".").split(".")
        text = ".".join(octets + ["0"] * (4 - len(octets))) + "/%d" % (8 * len(octets))
    try:
        if "/" in text:
            net = ipaddress.ip_network(text, strict=False)
        else:
            net = ipaddress.ip_network(ipaddress.ip_address(text.split("%", 1)[0]))
    except ValueError:
        return "unknown"
    inside = any(net.version == t.version and net.subnet_of(t) for t in trusted)
    return "trusted" if inside else "untrusted"


def scope_result(scope, evidence):
    """The Result of a client scope (see classify_client): fail when it reaches ``all`` or
    ``untrusted`` clients, warn when ``unknown``, pass otherwise."""
    if scope in ("all", "untrusted"):
        return failed(*evidence)
    if scope == "unknown":
        return warned(*evidence)
    return passed(*evidence)


def _pid_namespace(proc, pid):
    try:
        return os.readlink(os.path.join(proc, pid, "ns", "pid"))
    except OSError:
        return None


def running_processes(proc):
    """{pid: comm} of the processes in the /proc listing that belong to this host.

    On a container host, /proc also lists the containers' processes (an inetd in a test
    container is not this host's superserver): a process whose PID namespace is known
    and differs from ours is left out. One whose namespace cannot be read is kept.
    """
    ours = _pid_namespace(proc, "self")
    found = {}
    for name in os.listdir(proc):
        if name.isdigit():
            theirs = _pid_namespace(proc, name)
            if ours and theirs and theirs != ours:
                continue
            try:
                found[int(name)] = read_text(os.path.join(proc, name, "comm")).strip()
            except OSError:
                continue
    return found


def process_uid(proc, pid):
    """Effective uid of a process from /proc/<pid>/status, None when it cannot be read."""
    try:
        text = read_text(os.path.join(proc, str(pid), "status"))
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("Uid:"):
            fields = line.split()
            return int(fields[2]) if len(fields) > 2 else None
    return None
