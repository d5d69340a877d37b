# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Logging (LOG): size caps of logrotate and journald, the daily logwatch summary, the
permissions of /var/log and forwarding to a remote syslog server.

logrotate's configuration is read the way logrotate reads it: /etc/logrotate.conf, then each
``include`` (a directory: its files in name order, without the extensions logrotate skips),
global directives applying to the stanzas that follow them. SYS-04 (no oversized log now)
looks at the files; LOG-01 looks at what keeps them from growing.
"""

from __future__ import annotations

import os
import re
import stat

from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import (
    failed,
    not_applicable,
    passed,
    read_optional,
    shorten,
    warned,
)

LOGROTATE_CONF = "/etc/logrotate.conf"
# Extensions logrotate's default tabooext skips in an included directory.
TABOO = (
    ",v",
    ".cfsaved",
    ".disabled",
    ".dpkg-bak",
    ".dpkg-del",
    ".dpkg-dist",
    ".dpkg-new",
    ".dpkg-old",
    ".dpkg-tmp",
    ".rpmnew",
    ".rpmorig",
    ".rpmsave",
    ".swp",
    ".ucf-dist",
    ".ucf-new",
    ".ucf-old",
    "~",
)
SIZE_RE = re.compile(r"^(\d+)([kKmMgG]?)$")
UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
# Directives whose block runs to 'endscript' (shell: braces inside are not stanza braces).
SCRIPTS = ("postrotate", "prerotate", "firstaction", "lastaction", "preremove")


def parse_size(text):
    """A logrotate size ('100', '50k', '50M', '1G') in bytes, or None."""
    m = SIZE_RE.match(text.strip())
    if not m:
        return None
    return int(m.group(1)) * UNITS[m.group(2).lower()]


def included_files(path):
    """The files an ``include`` of PATH reads: the file, or the directory's files in order."""
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if not n.startswith(".") and not n.endswith(TABOO))
        return [os.path.join(path, n) for n in names if os.path.isfile(os.path.join(path, n))]
    return [path] if os.path.isfile(path) else []


def parse_logrotate(path, read=read_optional):
    """The stanzas of logrotate's configuration from PATH, following includes:
    [(source, patterns, cap in bytes or None)], where cap is the stanza's ``size``/``maxsize``, else
    the global one in force when the stanza was read."""
    stanzas = []
    _parse(path, read, set(), stanzas, {})
    return stanzas


def _cap(directives):
    values = [parse_size(directives[k]) for k in ("maxsize", "size") if k in directives]
    values = [v for v in values if v is not None]
    return min(values) if values else None


def _parse(path, read, seen, stanzas, glob_directives):
    if path in seen:
        return
    seen.add(path)
    text = read(path)
    if text is None:
        return
    lines = iter(text.splitlines())
    pending = []  # file patterns on the lines before a stanza's '{'
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "{" in line:
            patterns, pending = pending + line.split("{", 1)[0].split(), []
            local = {}
            for inner in lines:
                body = inner.split("#", 1)[0].strip()
                if body.startswith("}"):
                    break
                word, _sep, value = body.replace("\t", " ").partition(" ")
                if word in SCRIPTS:
                    for script_line in lines:
                        if script_line.strip() == "endscript":
                            break
                    continue
                if word:
                    local[word] = value.strip()
            cap = _cap(local) if _cap(local) is not None else _cap(glob_directives)
            stanzas.append((path, patterns, cap))
            continue
        if line[0] in "/\"'*~":
            pending.extend(line.split())
            continue
        word, _sep, value = line.replace("\t", " ").partition(" ")
        if word == "include":
            for name in included_files(value.strip()):
                _parse(name, read, seen, stanzas, glob_directives)
        else:
            glob_directives[word] = value.strip()


def log_01_rotation_capped(ctx, conf=LOGROTATE_CONF):
    """LOG-01: every logrotate stanza rotates a log before it passes log_size_threshold_mb."""
    if not ctx.installed(["logrotate"], ["/usr/sbin/logrotate"]):
        return failed("logrotate is not installed: nothing rotates the logs")
    stanzas = parse_logrotate(conf)
    if not stanzas:
        return failed("%s: no log is rotated" % conf)
    limit = float(ctx.options["log_size_threshold_mb"]) * 1024 * 1024
    uncapped = ["%s: %s: no size or maxsize" % (src, " ".join(p)) for src, p, cap in stanzas if cap is None]
    too_big = [
        "%s: %s: %.0f MiB > %s MB" % (src, " ".join(p), cap / 1048576.0, ctx.options["log_size_threshold_mb"])
        for src, p, cap in stanzas
        if cap is not None and cap > limit
    ]
    if uncapped or too_big:
        return failed(*shorten(uncapped + too_big))
    largest = max(cap for _src, _p, cap in stanzas)
    return passed("%d stanzas, each rotated at %.0f MiB or less" % (len(stanzas), largest / 1048576.0))


JOURNALD_CONF = "/etc/systemd/journald.conf"
JOURNALD_DIRS = (
    "/usr/lib/systemd/journald.conf.d",
    "/lib/systemd/journald.conf.d",
    "/run/systemd/journald.conf.d",
    "/etc/systemd/journald.conf.d",
)
JOURNALD_BINARIES = ("/usr/lib/systemd/systemd-journald", "/lib/systemd/systemd-journald")


def journald_settings(conf=JOURNALD_CONF, dirs=JOURNALD_DIRS, read=read_optional):
    """The [Journal] settings systemd-journald uses: journald.conf, then the drop-ins in name
    order (a name in a later directory of DIRS hides the same name in an earlier one); the last
    value wins. {key: (value, file)}."""
    dropins = {}
    for directory in dirs:
        if os.path.isdir(directory):
            for name in os.listdir(directory):
                if name.endswith(".conf"):
                    dropins[name] = os.path.join(directory, name)
    settings = {}
    for path in [conf] + [dropins[n] for n in sorted(dropins)]:
        text = read(path)
        if text is None:
            continue
        section = None
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                section = line.strip("[]").strip()
                continue
            key, sep, value = line.partition("=")
            if sep and section == "Journal":
                settings[key.strip()] = (value.strip(), path)
    return settings


def log_02_journal_capped(ctx, conf=JOURNALD_CONF, dirs=JOURNALD_DIRS, binaries=JOURNALD_BINARIES):
    """LOG-02: the journal's disk use is capped (SystemMaxUse=)."""
    if not any(os.path.exists(b) for b in binaries):
        return not_applicable("systemd-journald is not installed")
    settings = journald_settings(conf, dirs)
    storage = settings.get("Storage", ("auto", conf))[0]
    if storage in ("volatile", "none"):
        return passed("Storage=%s: nothing is written to /var/log/journal" % storage)
    value, path = settings.get("SystemMaxUse", ("", conf))
    if not value:
        return failed("SystemMaxUse is not set: the journal may take 10% of the filesystem (up to 4G)")
    return passed("SystemMaxUse=%s (%s)" % (value, path))


LOGWATCH_CONF = "/etc/logwatch/conf/logwatch.conf"
LOGWATCH_CRON = "/etc/cron.daily/00logwatch"


def parse_logwatch_conf(text):
    """logwatch.conf 'Key = value' lines -> {lower-case key: value} (the last one wins)."""
    values = {}
    for raw in (text or "").splitlines():
        line = raw.split("#", 1)[0].strip()
        key, sep, value = line.partition("=")
        if sep and key.strip():
            values[key.strip().lower()] = value.strip().strip("\"'")
    return values


def log_03_logwatch_mails(ctx, conf=LOGWATCH_CONF, cron=LOGWATCH_CRON):
    """LOG-03: logwatch mails a daily summary to a chosen recipient."""
    if not ctx.installed(["logwatch"], ["/usr/sbin/logwatch"]):
        return failed("logwatch is not installed: nobody reads a summary of the logs")
    problems = []
    st = _stat(cron)
    if st is None or not st.st_mode & stat.S_IXUSR:
        problems.append("%s is missing or not executable: no daily run" % cron)
    values = parse_logwatch_conf(read_optional(conf))
    if not values.get("mailto"):
        problems.append("%s: MailTo is not set (the summary goes to the package default)" % conf)
    if values.get("output", "mail").lower() not in ("mail", "") and "--output mail" not in (read_optional(cron) or ""):
        problems.append("%s: Output = %s: the summary is not mailed" % (conf, values["output"]))
    if problems:
        return failed(*problems)
    return passed(
        "%s: MailTo = %s, Detail = %s, Range = %s"
        % (conf, values["mailto"], values.get("detail", "default"), values.get("range", "default"))
    )


LOG_DIR = "/var/log"
# Login records: Debian keeps them root:utmp, wtmp and lastlog readable by all (last, lastlog).
UTMP_LOGS = {"wtmp": 0o664, "lastlog": 0o664, "btmp": 0o660}
# apt rewrites its history 0644 on every run: Debian's mode, like the login records.
APT_LOGS = {"apt/history.log": 0o644, "apt/eipp.log.xz": 0o644}
FILE_MODE = 0o640


def _stat(path):
    try:
        return os.lstat(path)
    except OSError:
        return None


def log_04_permissions(ctx, log_dir=LOG_DIR, utmp=None):
    """LOG-04: no log under /var/log is readable or writable by others, files are 0640 or
    stricter (login records: Debian's modes), owned by root or a system account."""
    utmp = UTMP_LOGS if utmp is None else utmp
    if not os.path.isdir(log_dir):
        return not_applicable("%s does not exist" % log_dir)
    bad, stack, count = [], [log_dir], 0
    while stack:
        current = stack.pop()
        try:
            it = os.scandir(current)
        except OSError:
            continue
        with it:
            for entry in it:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                mode = stat.S_IMODE(st.st_mode)
                if stat.S_ISDIR(st.st_mode):
                    stack.append(entry.path)
                    if mode & 0o002:
                        bad.append("%s/: %04o, writable by others" % (entry.path, mode))
                    continue
                if not stat.S_ISREG(st.st_mode):
                    continue
                count += 1
                if current == log_dir:
                    allowed = utmp.get(entry.name, FILE_MODE)
                else:
                    allowed = APT_LOGS.get(os.path.relpath(entry.path, log_dir), FILE_MODE)
                if mode & ~allowed:
                    bad.append("%s: %04o (at most %04o)" % (entry.path, mode, allowed))
                elif st.st_uid >= 1000:
                    bad.append("%s: owned by uid %d, not root or a system account" % (entry.path, st.st_uid))
    if bad:
        return failed(*shorten(bad))
    return passed("%d files under %s, none readable by others, none above %04o" % (count, log_dir, FILE_MODE))


RSYSLOG_CONF = "/etc/rsyslog.conf"
RSYSLOG_DIR = "/etc/rsyslog.d"
# A legacy forwarding action (*.* @host, @@host:port, @@[v6]:port) or an omfwd action.
FORWARD_RE = re.compile(r"^[^#\s]\S*\s+@@?(\(\S*\))?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(:\d+)?\s*$")
OMFWD_RE = re.compile(
    r"type\s*=\s*\"omfwd\"[^)]*?target\s*=\s*\"([^\"]+)\"|target\s*=\s*\"([^\"]+)\"[^)]*?type\s*=\s*\"omfwd\"", re.S
)


def forwarding_targets(conf=RSYSLOG_CONF, directory=RSYSLOG_DIR, read=read_optional):
    """The remote targets of rsyslog's forwarding actions: [(file, target)]."""
    files = [conf]
    if os.path.isdir(directory):
        files += [os.path.join(directory, n) for n in sorted(os.listdir(directory)) if n.endswith(".conf")]
    targets = []
    for path in files:
        text = read(path)
        if text is None:
            continue
        uncommented = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        for line in uncommented.splitlines():
            m = FORWARD_RE.match(line.strip())
            if m:
                targets.append((path, m.group(2) + (m.group(3) or "")))
        for m in OMFWD_RE.finditer(uncommented):
            targets.append((path, m.group(1) or m.group(2)))
    return targets


def log_05_remote_syslog(ctx, conf=RSYSLOG_CONF, directory=RSYSLOG_DIR):
    """LOG-05: the logs are also sent to a remote syslog server (warns only: a site without
    a central log server keeps them on the host)."""
    if not ctx.installed(["rsyslog"], ["/usr/sbin/rsyslogd"]):
        return warned("rsyslog is not installed: nothing forwards the logs to a log server")
    targets = forwarding_targets(conf, directory)
    if not targets:
        return warned("no forwarding action in %s or %s/*.conf: the logs stay on this host" % (conf, directory))
    return passed(*["%s: forwards to %s" % t for t in targets])
