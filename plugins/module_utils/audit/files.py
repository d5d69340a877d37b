# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""File permissions (PERM), the one filesystem walk, and /tmp mount options (TMP)."""

from __future__ import annotations

import fnmatch
import os
import stat
import time

from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import (
    failed,
    not_applicable,
    passed,
    read_id_names,
    read_optional,
    warned,
)

_DIR = stat.S_IFDIR
_REG = stat.S_IFREG
_FMT = 0o170000


# ---------------------------------------------------------------- mounts


def _unescape(field):
    """mountinfo escapes space, tab, newline and backslash as \\ooo."""
    if "\\" not in field:
        return field
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def parse_mountinfo(text, path="/proc/self/mountinfo"):
    """Mounts as dicts: mountpoint, options (per-mount), fstype, source, super_options."""
    mounts = []
    for lineno, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if "-" not in fields[6:] or len(fields) < 10:
            raise ValueError("cannot parse %s line %d: %r" % (path, lineno, line))
        sep = fields.index("-", 6)
        if len(fields) < sep + 3:
            raise ValueError("cannot parse %s line %d: %r" % (path, lineno, line))
        mounts.append(
            {
                "mountpoint": _unescape(fields[4]),
                "options": fields[5].split(","),
                "fstype": fields[sep + 1],
                "source": _unescape(fields[sep + 2]),
                "super_options": fields[sep + 3].split(",") if len(fields) > sep + 3 else [],
            }
        )
    return mounts


def mounts(ctx):
    def load():
        path = os.path.join(ctx.proc, "self", "mountinfo")
        return parse_mountinfo(read_optional(path) or "", path)

    return ctx.cached("mounts", load)


def skipped_fstype(fstype, patterns):
    return any(fnmatch.fnmatchcase(fstype, p) for p in patterns)


def skip_paths(mount_list, patterns):
    """Mount points of skipped file systems, and the lower/upper/work dirs of overlay mounts."""
    skip = set()
    for mount in mount_list:
        if skipped_fstype(mount["fstype"], patterns):
            skip.add(mount["mountpoint"])
        if mount["fstype"] == "overlay":
            for option in mount["super_options"]:
                key, _sep, value = option.partition("=")
                if key in ("lowerdir", "upperdir", "workdir"):
                    skip.update(v for v in value.split(":") if v)
    return skip


# ---------------------------------------------------------------- walk


def walk(roots, skip, budget, uids, gids, clock=time.monotonic):
    """One iterative lstat walk of ``roots``: counts and the entries PERM-06..09 report.

    Symlinks are never followed; directories in ``skip`` (mount points of skipped file
    systems) are not entered and are listed in skipped_mounts. The walk stops when
    ``budget`` seconds are used up, with complete = False.
    """
    started = clock()
    deadline = started + budget
    files = dirs = 0
    special, ww_files, ww_dirs, unowned, skipped = [], [], [], [], []
    complete = True
    stack = []
    for root in reversed(roots):
        if root in skip:
            skipped.append(root)
        else:
            stack.append(root)
    while stack:
        if clock() > deadline:
            complete = False
            break
        top = stack.pop()
        try:
            it = os.scandir(top)
        except OSError:
            continue  # vanished or unreadable
        with it:
            for entry in it:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                mode = st.st_mode
                fmt = mode & _FMT
                if fmt == _DIR:
                    dirs += 1
                    path = entry.path
                    if path in skip:
                        skipped.append(path)
                    else:
                        stack.append(path)
                    if mode & 0o1002 == 0o002:
                        ww_dirs.append((path, mode))
                else:
                    files += 1
                    if fmt == _REG and mode & 0o6002:
                        if mode & 0o6000:
                            special.append((entry.path, mode, st.st_uid, st.st_gid))
                        if mode & 0o002:
                            ww_files.append((entry.path, mode))
                if st.st_uid not in uids or st.st_gid not in gids:
                    unowned.append((entry.path, st.st_uid, st.st_gid))
    return {
        "files": files,
        "directories": dirs,
        "seconds": round(clock() - started, 3),
        "complete": complete,
        "skipped_mounts": sorted(skipped),
        "special": sorted(special),
        "world_writable_files": sorted(ww_files),
        "world_writable_dirs": sorted(ww_dirs),
        "unowned": sorted(unowned),
    }


def run_walk(ctx, passwd="/etc/passwd", group="/etc/group"):
    def load():
        opts = ctx.options
        skip = skip_paths(mounts(ctx), opts["skip_fstypes"])
        uids = set(read_id_names(passwd).values())
        gids = set(read_id_names(group).values())
        roots = [os.path.normpath(r) for r in opts["walk_roots"]]
        return walk(roots, skip, float(opts["walk_time_budget"]), uids, gids)

    return ctx.cached("walk", load)


def walk_summary(result):
    keys = ("files", "directories", "seconds", "complete", "skipped_mounts")
    return dict((key, result[key]) for key in keys)


def _walk_result(result, bad, what):
    if bad:
        evidence = list(bad)
        if not result["complete"]:
            evidence.insert(0, "walk incomplete: more may exist")
        return failed(*evidence)
    if not result["complete"]:
        return warned("walk incomplete: stopped after walk_time_budget, no %s found so far" % what)
    return passed("no %s in %d files and %d directories" % (what, result["files"], result["directories"]))


def perm_06_suid(ctx):
    """PERM-06: every SUID/SGID file is on suid_allowlist."""
    result = run_walk(ctx)
    allowed = set(ctx.options["suid_allowlist"])
    bad = ["%s %04o uid %d gid %d" % (p, m & 0o7777, u, g) for p, m, u, g in result["special"] if p not in allowed]
    return _walk_result(result, bad, "SUID/SGID file outside suid_allowlist")


def perm_07_world_writable_files(ctx):
    """PERM-07: no regular file is world-writable."""
    result = run_walk(ctx)
    bad = ["%s %04o" % (p, m & 0o7777) for p, m in result["world_writable_files"]]
    return _walk_result(result, bad, "world-writable file")


def perm_08_sticky_dirs(ctx):
    """PERM-08: every world-writable directory has the sticky bit."""
    result = run_walk(ctx)
    bad = ["%s %04o" % (p, m & 0o7777) for p, m in result["world_writable_dirs"]]
    return _walk_result(result, bad, "world-writable directory without sticky bit")


def perm_09_unowned(ctx):
    """PERM-09: every file's owner and group exist in /etc/passwd and /etc/group."""
    result = run_walk(ctx)
    bad = ["%s uid %d gid %d" % (p, u, g) for p, u, g in result["unowned"]]
    return _walk_result(result, bad, "unowned file")


# ---------------------------------------------------------------- fixed paths


def _mode_check(paths, max_mode, owners, groups, warn_mode=0, missing_ok=True):
    """(bad, warn, good, missing) evidence for files whose mode must stay within ``max_mode``.

    A file fails when it is owned by a uid outside ``owners``, a gid outside ``groups``,
    or has a permission bit outside ``max_mode``; it warns when it has a bit in ``warn_mode``.
    """
    bad, warn, good, missing = [], [], [], []
    for path in paths:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            missing.append(path)
            continue
        perms = st.st_mode & 0o7777
        line = "%s %04o uid %d gid %d" % (path, perms, st.st_uid, st.st_gid)
        if st.st_uid not in owners or st.st_gid not in groups or perms & ~max_mode:
            bad.append(line)
        elif perms & warn_mode:
            warn.append(line)
        else:
            good.append(line)
    return bad, warn, good, missing


def _mode_result(bad, warn, good, missing, not_found_text):
    if not (bad or warn or good):
        return not_applicable(not_found_text)
    if bad:
        return failed(*(bad + warn + good))
    if warn:
        return warned(*(warn + good))
    return passed(*good)


def _gid(group_path, name):
    return read_id_names(group_path).get(name)


INIT_DIRS = ("/etc/init.d", "/etc/rc.d/init.d")


def perm_01_init_scripts(ctx, dirs=INIT_DIRS):
    """PERM-01: init scripts are root's: not writable (fail) nor readable (warn) by group/others."""
    paths = []
    for directory in dirs:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        paths.extend(os.path.join(directory, n) for n in names if os.path.isfile(os.path.join(directory, n)))
    bad, warn, good, missing = _mode_check(paths, 0o755, (0,), (0,), warn_mode=0o055)
    if not (bad or warn or good):
        return not_applicable("no init scripts in %s" % ", ".join(dirs))
    if bad:
        return failed(*bad)
    if warn:
        return warned("%d init scripts readable or executable by group/others, e.g. %s" % (len(warn), warn[0]))
    return passed("%d init scripts, mode 0700 or stricter" % len(good))


def perm_02_shadow(ctx, paths=("/etc/shadow", "/etc/gshadow"), group="/etc/group"):
    """PERM-02: /etc/shadow and /etc/gshadow are root:root or root:shadow, 0640 at most."""
    shadow = _gid(group, "shadow")
    groups = (0,) if shadow is None else (0, shadow)
    return _mode_result(*_mode_check(paths, 0o640, (0,), groups), not_found_text="no %s" % ", ".join(paths))


def perm_03_passwd(ctx, paths=("/etc/passwd", "/etc/group")):
    """PERM-03: /etc/passwd and /etc/group are root:root, 0644 at most."""
    return _mode_result(*_mode_check(paths, 0o644, (0,), (0,)), not_found_text="no %s" % ", ".join(paths))


CRON_PATHS = (
    "/etc/crontab",
    "/etc/cron.d",
    "/etc/cron.hourly",
    "/etc/cron.daily",
    "/etc/cron.weekly",
    "/etc/cron.monthly",
)


def perm_04_cron(ctx, paths=CRON_PATHS):
    """PERM-04: cron files and directories are root's, not writable (fail) nor readable (warn) by others."""
    return _mode_result(*_mode_check(paths, 0o755, (0,), (0,), warn_mode=0o077), not_found_text="no cron files")


def perm_05_sshd_config(ctx, paths=("/etc/ssh/sshd_config",)):
    """PERM-05: sshd_config is root:root, not writable (fail) nor readable (warn) by others."""
    return _mode_result(
        *_mode_check(paths, 0o644, (0,), (0,), warn_mode=0o044), not_found_text="no %s" % ", ".join(paths)
    )


# ---------------------------------------------------------------- TMP

TMP_OPTIONS = ("nodev", "nosuid", "noexec")


def _tmp_check(ctx, mountpoint):
    found = [m for m in mounts(ctx) if m["mountpoint"] == mountpoint]
    if not found:
        return failed("%s is not a separate mount: nodev,nosuid,noexec cannot be set" % mountpoint)
    mount = found[-1]  # the last one mounted on top is the visible one
    missing = [o for o in TMP_OPTIONS if o not in mount["options"]]
    evidence = "%s: %s %s" % (mountpoint, mount["fstype"], ",".join(mount["options"]))
    if missing:
        return failed(evidence, "missing: %s" % ",".join(missing))
    return passed(evidence)


def tmp_01_tmp(ctx):
    """TMP-01: /tmp is mounted nodev,nosuid,noexec."""
    return _tmp_check(ctx, "/tmp")


def tmp_02_var_tmp(ctx):
    """TMP-02: /var/tmp is mounted nodev,nosuid,noexec."""
    return _tmp_check(ctx, "/var/tmp")


def tmp_03_dev_shm(ctx):
    """TMP-03: /dev/shm is mounted nodev,nosuid,noexec."""
    return _tmp_check(ctx, "/dev/shm")
