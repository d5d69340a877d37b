# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Kernel parameters (KERN) and system state (SYS)."""

from __future__ import annotations

import fnmatch
import os

from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import (
    failed,
    not_applicable,
    passed,
    read_optional,
    read_text,
    warned,
)
from ansible_collections.bastion.hardening.plugins.module_utils.audit.files import mounts, skipped_fstype

# ---------------------------------------------------------------- KERN

SYSCTL_DIRS = ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d")
SYSCTL_CONF = "/etc/sysctl.conf"


def sysctl_files(dirs=SYSCTL_DIRS, sysctl_conf=SYSCTL_CONF):
    """Configuration files in the order they are applied (later files win).

    Files of the sysctl.d directories sorted by name, a name in an earlier directory
    hiding the same name in a later one (systemd-sysctl); /etc/sysctl.conf last
    (procps ``sysctl --system``).
    """
    chosen = {}
    for directory in dirs:
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            if name.endswith(".conf") and name not in chosen:
                chosen[name] = os.path.join(directory, name)
    files = [chosen[name] for name in sorted(chosen)]
    if os.path.isfile(sysctl_conf):
        files.append(sysctl_conf)
    return files


def normal_key(key):
    """sysctl.d(5): a key whose first separator is '/' uses '/' for '.' and the reverse."""
    key = key.strip().lstrip("-")
    slash, dot = key.find("/"), key.find(".")
    if slash >= 0 and (dot < 0 or slash < dot):
        key = key.replace(".", "\0").replace("/", ".").replace("\0", "/")
    return key


def parse_sysctl(text, path):
    """(key or glob, value, 'path line N') assignments of one sysctl configuration file."""
    found = []
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        key, sep, value = stripped.partition("=")
        if not sep:
            continue  # sysctl ignores such lines with a warning; so do we
        found.append((normal_key(key), value.strip(), "%s line %d" % (path, lineno)))
    return found


def configured_values(files):
    """{key pattern: (value, where)}, later assignments winning; patterns may hold globs."""
    values = {}
    for path in files:
        text = read_optional(path)
        if text is not None:
            for key, value, where in parse_sysctl(text, path):
                values.pop(key, None)
                values[key] = (value, where)
    return values


def configured(values, key):
    """The value configured for ``key`` (last matching assignment, globs included), or None."""
    result = None
    for pattern, found in values.items():
        if pattern == key or ("*" in pattern and fnmatch.fnmatchcase(key, pattern)):
            result = found
    return result


def running_value(key, proc_sys="/proc/sys"):
    text = read_optional(os.path.join(proc_sys, key.replace(".", "/")))
    return None if text is None else text.strip()


def _good(value, accepted):
    return value is not None and value.split()[0:1] != [] and value.split()[0] in accepted


def kernel_check(ctx, keys, accepted, dirs=SYSCTL_DIRS, sysctl_conf=SYSCTL_CONF, proc_sys=None, optional=False):
    """Running and configured values of ``keys`` against the ``accepted`` values.

    pass: every key runs with a good value; warn: some key is only configured right
    (configured but not applied, e.g. a container's read-only /proc/sys); fail: a key is
    neither. ``optional`` keys that the running kernel does not have (IPv6 off) are skipped.
    """
    proc_sys = proc_sys or os.path.join(ctx.proc, "sys")
    values = ctx.cached(
        ("sysctl", tuple(dirs), sysctl_conf), lambda: configured_values(sysctl_files(dirs, sysctl_conf))
    )
    status, evidence = "pass", []
    for key in keys:
        running = running_value(key, proc_sys)
        conf = configured(values, key)
        if running is None and conf is None and optional:
            continue
        line = "%s: running %s, configured %s" % (
            key,
            running if running is not None else "(absent)",
            "%s (%s)" % conf if conf else "(not set)",
        )
        if _good(running, accepted):
            evidence.append(line)
        elif conf and _good(conf[0], accepted):
            evidence.append(line + ": configured but not applied")
            status = "fail" if status == "fail" else "warn"
        else:
            evidence.append(line + ": want %s" % " or ".join(accepted))
            status = "fail"
    if not evidence:
        return not_applicable("none of %s in this kernel" % ", ".join(keys))
    return {"pass": passed, "warn": warned, "fail": failed}[status](*evidence)


def _both(template, families=("ipv4",)):
    return [template % (family, scope) for family in families for scope in ("all", "default")]


KERNEL_CHECKS = {
    "KERN-01": (["kernel.yama.ptrace_scope"], ("1", "2", "3"), False),
    "KERN-02": (["kernel.kptr_restrict"], ("1", "2"), False),
    "KERN-03": (["kernel.dmesg_restrict"], ("1",), False),
    "KERN-04": (
        ["fs.protected_hardlinks", "fs.protected_symlinks", "fs.protected_fifos", "fs.protected_regular"],
        ("1", "2"),
        False,
    ),
    "KERN-05": (["fs.suid_dumpable"], ("0",), False),
    "KERN-06": (_both("net.%s.conf.%s.rp_filter"), ("1", "2"), False),
    "KERN-07": (_both("net.%s.conf.%s.accept_redirects", ("ipv4", "ipv6")), ("0",), True),
    "KERN-08": (_both("net.%s.conf.%s.accept_source_route", ("ipv4", "ipv6")), ("0",), True),
    "KERN-09": (_both("net.%s.conf.%s.send_redirects"), ("0",), False),
    "KERN-10": (_both("net.%s.conf.%s.log_martians"), ("1",), False),
    "KERN-11": (["net.ipv4.icmp_echo_ignore_broadcasts"], ("1",), False),
    "KERN-12": (["net.ipv4.tcp_syncookies"], ("1",), False),
}


def kernel_checker(check_id):
    keys, accepted, optional = KERNEL_CHECKS[check_id]

    def check(ctx, dirs=SYSCTL_DIRS, sysctl_conf=SYSCTL_CONF, proc_sys=None):
        return kernel_check(ctx, keys, accepted, dirs, sysctl_conf, proc_sys, optional)

    check.__name__ = check_id.lower().replace("-", "_")
    check.__doc__ = "%s: %s in %s" % (check_id, ", ".join(keys), "/".join(accepted))
    return check


# ---------------------------------------------------------------- SYS

# Hidden-process scan: every PID up to the highest listed PID plus this margin, but at
# most SCAN_FULL PIDs; above that, the top SCAN_FULL // 2 PIDs of the range and an even
# sample of SCAN_FULL // 2 PIDs below them.
SCAN_MARGIN = 4096
SCAN_FULL = 65536


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def listed_pids(proc):
    return set(int(name) for name in os.listdir(proc) if name.isdigit())


def scan_range(highest, pid_max):
    upper = min(pid_max, highest + SCAN_MARGIN)
    if upper <= SCAN_FULL:
        return list(range(1, upper + 1)), True
    top_start = upper - SCAN_FULL // 2 + 1
    step = max(1, -(-(top_start - 1) // (SCAN_FULL // 2)))  # ceil: at most SCAN_FULL // 2 samples
    return list(range(1, top_start, step)) + list(range(top_start, upper + 1)), False


def _thread_group(proc, pid):
    text = read_optional(os.path.join(proc, str(pid), "status")) or ""
    for line in text.splitlines():
        if line.startswith("Tgid:"):
            return int(line.split()[1])
    return None


def sys_01_hidden(ctx, probe=pid_alive):
    """SYS-01: every live PID shows in the /proc listing (no hidden processes)."""
    proc = ctx.proc
    listed = listed_pids(proc)
    pid_max = int((read_optional(os.path.join(proc, "sys", "kernel", "pid_max")) or "32768").strip())
    pids, full = scan_range(max(listed or [1]), pid_max)
    candidates = [pid for pid in pids if pid not in listed and probe(pid)]
    hidden = []
    if candidates:
        listed = listed_pids(proc)  # processes started since the first listing
        for pid in candidates:
            if pid in listed or not probe(pid):
                continue
            tgid = _thread_group(proc, pid)
            if tgid is not None and tgid != pid and tgid in listed:
                continue  # a thread: reachable as /proc/<tid>, never listed
            hidden.append("PID %d answers kill(pid, 0) but is not in the %s listing" % (pid, proc))
    scope = "scanned %s %d PIDs up to %d (pid_max %d)" % (
        "all" if full else "a sample of",
        len(pids),
        pids[-1],
        pid_max,
    )
    if hidden:
        return failed(*(hidden + [scope]))
    return passed("%d processes listed, none hidden; %s" % (len(listed), scope))


def _meminfo(text):
    values = {}
    for line in text.splitlines():
        key, _sep, rest = line.partition(":")
        words = rest.split()
        if words and words[0].isdigit():
            values[key] = int(words[0])
    return values


def sys_02_resources(ctx, cpus=None):
    """SYS-02: uptime, load and memory; warn on load above 2 per CPU or under 10% memory available."""
    proc = ctx.proc
    uptime = float(read_text(os.path.join(proc, "uptime")).split()[0])
    load = read_text(os.path.join(proc, "loadavg")).split()[:3]
    mem = _meminfo(read_text(os.path.join(proc, "meminfo")))
    cpus = cpus or os.cpu_count() or 1
    days, rest = divmod(int(uptime), 86400)
    evidence = [
        "uptime %dd %02dh%02dm" % (days, rest // 3600, rest % 3600 // 60),
        "load %s (%d CPUs)" % (" ".join(load), cpus),
    ]
    status = "pass"
    if float(load[1]) > 2 * cpus:
        status = "warn"
    total, available = mem.get("MemTotal"), mem.get("MemAvailable")
    if total and available is not None:
        evidence.append("memory: %d MiB available of %d MiB" % (available // 1024, total // 1024))
        if available * 10 < total:
            status = "warn"
    return warned(*evidence) if status == "warn" else passed(*evidence)


NO_SPACE_FSTYPES = ("squashfs", "iso9660", "udf", "ramfs")


def sys_03_free_space(ctx, statvfs=os.statvfs):
    """SYS-03: every mounted file system has at least 10% free space."""
    patterns = list(ctx.options["skip_fstypes"]) + list(NO_SPACE_FSTYPES)
    low, good, seen = [], [], set()
    for mount in mounts(ctx):
        point = mount["mountpoint"]
        if skipped_fstype(mount["fstype"], patterns) or point in seen:
            continue
        seen.add(point)
        try:
            st = statvfs(point)
        except OSError:
            continue
        if not st.f_blocks:
            continue
        free = 100.0 * st.f_bavail / st.f_blocks
        line = "%s (%s): %.1f%% free" % (point, mount["fstype"], free)
        (low if free < 10.0 else good).append(line)
    if low:
        return warned(*(low + good))
    if not good:
        return not_applicable("no disk file system mounted")
    return passed(*good)


def sys_04_logs(ctx, log_dir="/var/log"):
    """SYS-04: no log file under /var/log is larger than log_size_threshold_mb."""
    if not os.path.isdir(log_dir):
        return not_applicable("%s does not exist" % log_dir)
    limit = float(ctx.options["log_size_threshold_mb"]) * 1024 * 1024
    big, stack, count = [], [log_dir], 0
    while stack:
        try:
            it = os.scandir(stack.pop())
        except OSError:
            continue
        with it:
            for entry in it:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        count += 1
                        size = entry.stat(follow_symlinks=False).st_size
                        if size > limit:
                            big.append((size, entry.path))
                except OSError:
                    continue
    if big:
        return warned(*["%s: %.1f MiB" % (path, size / 1048576.0) for size, path in sorted(big, reverse=True)])
    return passed("%d files under %s, none above %s MB" % (count, log_dir, ctx.options["log_size_threshold_mb"]))
