# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Backups (BACKUP): the last successful backup and the repository's secrets.

The backup role's script (/usr/local/sbin/bastion-backup) writes two status files after
BorgBackup succeeds: ``last-success`` after ``borg create`` (and prune), ``repository`` after
``borg init``/``borg info``, each ``key=value`` lines. The checks read those and the files the
role keeps under /etc/bastion/backup; they run no backup tool (no passphrase, no network).
"""

from __future__ import annotations

import os
import re
import stat

from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import (
    failed,
    passed,
    read_optional,
)

STATUS_DIR = "/var/lib/bastion/backup"
CONFIG_DIR = "/etc/bastion/backup"
# BorgBackup's names of the modes without encryption: borg info's "Encryption:" line says
# "plaintext", "authenticated" or "authenticated BLAKE2b"; borg init's --encryption calls them
# none, authenticated, authenticated-blake2.
UNENCRYPTED = ("none", "plaintext", "authenticated")


def parse_status(text):
    """``key=value`` lines -> dict (blank lines, comments and lines without '=' are skipped)."""
    values = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _sep, value = line.partition("=")
        values[key.strip()] = value.strip()
    return values


def _status(name):
    path = os.path.join(STATUS_DIR, name)
    text = read_optional(path)
    return path, (None if text is None else parse_status(text))


def backup_01_recent(ctx):
    """BACKUP-01: the last successful backup is at most max_check_age_days old."""
    path, status = _status("last-success")
    limit = ctx.options.get("max_check_age_days", 2)
    if status is None:
        return failed("%s is missing: no backup has completed on this host" % path)
    when = status.get("time", "")
    if not when.isdigit():
        return failed("%s: no time=<epoch seconds> line, got %r" % (path, when))
    age = (ctx.now - int(when)) / 86400.0
    line = "last backup %s to %s, %.1f days ago" % (
        status.get("archive", "(unnamed)"),
        status.get("repository", "(unknown repository)"),
        age,
    )
    if age < -1.0 / 24:
        return failed(line + ": in the future (clock changed?)")
    if age > limit:
        return failed(line + ": older than %g days" % limit)
    return passed(line)


def _root_only(path):
    """None when PATH is a root-owned file no other user can read or write, else why not."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "%s is missing" % path
    if not stat.S_ISREG(st.st_mode):
        return "%s is not a regular file" % path
    mode = stat.S_IMODE(st.st_mode)
    if st.st_uid != 0:
        return "%s is owned by uid %d, not root" % (path, st.st_uid)
    if mode & 0o077:
        return "%s has mode %04o: group or others may read it (want 0600 or stricter)" % (path, mode)
    return None


def backup_02_encrypted(ctx):
    """BACKUP-02: the repository is encrypted and its passphrase and settings are root-only."""
    del ctx  # files only
    bad, evidence = [], []
    for name in ("passphrase", "backup.conf"):
        path = os.path.join(CONFIG_DIR, name)
        why = _root_only(path)
        if why:
            bad.append(why)
        else:
            evidence.append("%s root-only" % path)
    path, status = _status("repository")
    if status is None:
        bad.append("%s is missing: the repository was never initialised or read by the backup script" % path)
    else:
        mode = status.get("encryption", "")
        if not mode:
            bad.append("%s: no encryption=<mode> line" % path)
        elif re.split(r"[\s-]", mode)[0].lower() in UNENCRYPTED:
            bad.append(
                "repository %s: encryption %s, the backups are readable without a key"
                % (status.get("repository", "?"), mode)
            )
        else:
            evidence.append("repository %s: encryption %s" % (status.get("repository", "?"), mode))
    if bad:
        return failed(*bad)
    return passed(*evidence)
