# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Accounts and authentication policy (ACCT): password quality (pam_pwquality) and ageing
(login.defs), the shell idle timeout, su restricted to a group (pam_wheel), system accounts
without a login shell, no empty passwords, and the default umask."""

from __future__ import annotations

import glob
import os
import re

from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import (
    errored,
    failed,
    not_applicable,
    passed,
    read_optional,
    warned,
)

LOGIN_DEFS = "/etc/login.defs"
PAM_DIR = "/etc/pam.d"
PAM_SU = "/etc/pam.d/su"
PWQUALITY_CONF = "/etc/security/pwquality.conf"
PROFILE_FILES = ("/etc/profile", "/etc/bash.bashrc")
PROFILE_DIR = "/etc/profile.d"

# The floors a check passes at (the accounts role's defaults are stricter).
MIN_PASSWORD_LENGTH = 12
MIN_CLASSES = 3
MAX_PASS_MAX_DAYS = 365
MIN_PASS_MIN_DAYS = 1
MIN_PASS_WARN_AGE = 7
MAX_TMOUT = 900
# Bits a umask must mask: group write, all of others.
UMASK_BITS = 0o027

# libpwquality's built-in values of the settings ACCT-01 reads.
PWQUALITY_DEFAULTS = {
    "minlen": 8,
    "minclass": 0,
    "dcredit": 0,
    "ucredit": 0,
    "lcredit": 0,
    "ocredit": 0,
    "enforcing": 1,
}
NOLOGIN_SHELLS = ("/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false")
# System accounts whose "shell" is a single command, not a login shell.
COMMAND_ACCOUNTS = {"sync": "/bin/sync", "shutdown": "/sbin/shutdown", "halt": "/sbin/halt"}


# ---------------------------------------------------------------- parsers


def parse_login_defs(text):
    """{KEY: value} of login.defs (the last of a repeated key wins)."""
    values = {}
    for line in (text or "").splitlines():
        fields = line.split()
        if len(fields) >= 2 and not fields[0].startswith("#"):
            values[fields[0]] = fields[1]
    return values


def pam_split(line):
    """The fields of a PAM line; a bracketed control ([success=1 default=ignore]) is one field."""
    fields, pending = [], None
    for token in line.split():
        if pending is not None:
            pending += " " + token
            if token.endswith("]"):
                fields.append(pending)
                pending = None
        elif token.startswith("[") and not token.endswith("]"):
            pending = token
        else:
            fields.append(token)
    if pending is not None:
        fields.append(pending)
    return fields


def parse_pam(text):
    """[(type, control, module, [args])] of a PAM file; comments and blank lines dropped, a
    leading '-' (silently skip a missing module) removed from the type, @include kept as
    ('@include', '', file, [])."""
    entries = []
    for line in (text or "").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = pam_split(line)
        if fields[0] == "@include" and len(fields) > 1:
            entries.append(("@include", "", fields[1], []))
        elif len(fields) >= 3:
            entries.append((fields[0].lstrip("-"), fields[1], os.path.basename(fields[2]), fields[3:]))
    return entries


def parse_pwquality(text, settings):
    """Apply the 'key = value' lines of a pwquality.conf to ``settings`` (a flag alone counts as 1)."""
    tokens = []
    for line in (text or "").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            key, sep, value = line.partition("=")
            tokens.append(key.strip() + sep + value.strip())
    return _module_args(tokens, settings)


def _module_args(args, settings):
    """Apply pam_pwquality's 'key=value' arguments to ``settings`` (a flag alone counts as 1)."""
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep:
            settings[key] = 1
            continue
        try:
            settings[key] = int(value)
        except ValueError:
            settings[key] = value
    return settings


def shell_lines(paths):
    """(path, line number, line without comment) of the existing files of ``paths``."""
    for path in paths:
        text = read_optional(path)
        if text is None:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            body = line.split("#", 1)[0].strip()
            if body:
                yield path, lineno, body


def _profile_paths(profile_files, profile_dir):
    return list(profile_files) + sorted(glob.glob(os.path.join(profile_dir, "*.sh")))


def _int(value, default=None, base=10):
    if isinstance(value, int):
        return value
    try:
        return int(value, base)
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------- checks


def acct_01_password_quality(
    ctx, pam_dir=PAM_DIR, conf=PWQUALITY_CONF, conf_dir=PWQUALITY_CONF + ".d", min_length=MIN_PASSWORD_LENGTH
):
    """ACCT-01: pam_pwquality checks new passwords (common-password), minlen and character classes."""
    path = os.path.join(pam_dir, "common-password")
    text = read_optional(path)
    if text is None:
        return not_applicable("no %s" % path)
    lines = [e for e in parse_pam(text) if e[0] == "password" and e[2] == "pam_pwquality.so"]
    if not lines:
        return failed("pam_pwquality is not in %s: new passwords are not checked for length or quality" % path)
    # libpwquality: pwquality.conf, then pwquality.conf.d/*.conf in order; the PAM arguments win.
    settings = dict(PWQUALITY_DEFAULTS)
    parse_pwquality(read_optional(conf), settings)
    for extra in sorted(glob.glob(os.path.join(conf_dir, "*.conf"))):
        parse_pwquality(read_optional(extra), settings)
    _module_args(lines[-1][3], settings)
    minlen, minclass = _int(settings["minlen"], 0), _int(settings["minclass"], 0)
    required = [k for k in ("dcredit", "ucredit", "lcredit", "ocredit") if _int(settings[k], 0) < 0]
    evidence = [
        "%s: password %s pam_pwquality.so %s" % (path, lines[-1][1], " ".join(lines[-1][3])),
        "minlen %s, minclass %s, required classes (credit < 0): %s"
        % (settings["minlen"], settings["minclass"], ", ".join(required) or "none"),
    ]
    bad = []
    if minlen < min_length:
        bad.append("minlen %s: want %d or more" % (settings["minlen"], min_length))
    if _int(settings["enforcing"], 1) == 0:
        bad.append("enforcing = 0: weak passwords are only warned about")
    if bad:
        return failed(*(bad + evidence))
    if minclass < MIN_CLASSES and len(required) < MIN_CLASSES:
        return warned(
            "no character class rule: want minclass %d or three of d/u/l/ocredit < 0" % MIN_CLASSES, *evidence
        )
    return passed(*evidence)


def acct_02_password_ageing(ctx, login_defs=LOGIN_DEFS):
    """ACCT-02: PASS_MAX_DAYS, PASS_MIN_DAYS and PASS_WARN_AGE in login.defs."""
    text = read_optional(login_defs)
    if text is None:
        return not_applicable("no %s" % login_defs)
    values = parse_login_defs(text)
    # shadow's defaults when a key is missing: -1 (never), -1 (none), -1 (none).
    max_days = _int(values.get("PASS_MAX_DAYS"), -1)
    min_days = _int(values.get("PASS_MIN_DAYS"), -1)
    warn_age = _int(values.get("PASS_WARN_AGE"), -1)
    bad = []
    if not 0 < max_days <= MAX_PASS_MAX_DAYS:
        bad.append("PASS_MAX_DAYS %s: want 1 to %d" % (values.get("PASS_MAX_DAYS", "unset"), MAX_PASS_MAX_DAYS))
    if min_days < MIN_PASS_MIN_DAYS:
        bad.append("PASS_MIN_DAYS %s: want %d or more" % (values.get("PASS_MIN_DAYS", "unset"), MIN_PASS_MIN_DAYS))
    if warn_age < MIN_PASS_WARN_AGE:
        bad.append("PASS_WARN_AGE %s: want %d or more" % (values.get("PASS_WARN_AGE", "unset"), MIN_PASS_WARN_AGE))
    if bad:
        return failed(*bad)
    return passed(
        "%s: PASS_MAX_DAYS %d, PASS_MIN_DAYS %d, PASS_WARN_AGE %d" % (login_defs, max_days, min_days, warn_age)
    )


_TMOUT_SET = re.compile(r"(?:^|[\s;])(?:export\s+|readonly\s+|declare\s+-\w+\s+|typeset\s+-\w+\s+)?TMOUT=([^\s;]+)")
_TMOUT_READONLY = re.compile(
    r"(?:^|[\s;])(?:readonly(?:\s+-\w+)*|declare\s+-\w*r\w*|typeset\s+-\w*r\w*)\s+(?:\S+\s+)*?TMOUT\b"
)


def acct_03_idle_timeout(ctx, profile_files=PROFILE_FILES, profile_dir=PROFILE_DIR):
    """ACCT-03: a read-only TMOUT of at most MAX_TMOUT seconds for login shells."""
    value, where, readonly = None, None, None
    for path, lineno, body in shell_lines(_profile_paths(profile_files, profile_dir)):
        for match in _TMOUT_SET.finditer(body):
            value, where = match.group(1).strip("'\""), "%s line %d" % (path, lineno)
        if _TMOUT_READONLY.search(body):
            readonly = "%s line %d" % (path, lineno)
    if value is None:
        return failed(
            "TMOUT is not set in %s or %s/*.sh: idle shells stay open" % (", ".join(profile_files), profile_dir)
        )
    seconds = _int(value)
    evidence = "TMOUT=%s (%s)%s" % (value, where, ", read-only (%s)" % readonly if readonly else "")
    if seconds is None or not 0 < seconds <= MAX_TMOUT:
        return failed(evidence, "want 1 to %d seconds" % MAX_TMOUT)
    if not readonly:
        return failed(evidence, "not read-only: a user can unset it (readonly TMOUT)")
    return passed(evidence)


def acct_04_su_group(ctx, pam_su=PAM_SU, group="/etc/group"):
    """ACCT-04: su is restricted to the members of a group (pam_wheel in /etc/pam.d/su)."""
    text = read_optional(pam_su)
    if text is None:
        return not_applicable("no %s" % pam_su)
    wheel = [
        e
        for e in parse_pam(text)
        if e[0] == "auth" and e[2] == "pam_wheel.so" and e[1] in ("required", "requisite") and "deny" not in e[3]
    ]
    if not wheel:
        return failed("%s has no 'auth required pam_wheel.so': every user may try su" % pam_su)
    args = dict(a.partition("=")[::2] for a in wheel[-1][3])
    name = args.get("group") or "wheel"
    members = None
    for line in (read_optional(group) or "").splitlines():
        fields = line.split(":")
        if len(fields) >= 4 and fields[0] == name:
            members = [m for m in fields[3].split(",") if m]
    evidence = "%s: auth %s pam_wheel.so %s" % (pam_su, wheel[-1][1], " ".join(wheel[-1][3]))
    if members is None:
        if "group" not in args:
            # pam_wheel falls back to the group of gid 0 when there is no wheel group.
            return passed(evidence, "no group wheel: the group of gid 0 (root) may su")
        return failed(evidence, "group %s does not exist: nobody but root may su" % name)
    return passed(evidence, "group %s: %s" % (name, ", ".join(members) or "no members"))


def acct_05_system_shells(ctx, passwd="/etc/passwd", login_defs=LOGIN_DEFS):
    """ACCT-05: accounts below UID_MIN (except root) have no login shell."""
    text = read_optional(passwd)
    if text is None:
        return not_applicable("no %s" % passwd)
    uid_min = _int(parse_login_defs(read_optional(login_defs)).get("UID_MIN"), 1000)
    bad, count = [], 0
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) < 7 or line.startswith(("+", "-")):
            continue
        name, uid, shell = fields[0], _int(fields[2], -1), fields[6]
        if name == "root" or not 0 <= uid < uid_min:
            continue
        count += 1
        if shell in NOLOGIN_SHELLS or COMMAND_ACCOUNTS.get(name) == shell:
            continue
        bad.append("%s uid %d shell %s" % (name, uid, shell or "(empty: /bin/sh)"))
    if bad:
        return failed(*bad)
    return passed("%d system accounts below UID_MIN %d, none with a login shell" % (count, uid_min))


def acct_06_empty_passwords(ctx, shadow="/etc/shadow"):
    """ACCT-06: no account has an empty password field in /etc/shadow."""
    try:
        text = read_optional(shadow)
    except OSError as exc:
        return errored("cannot read %s: %s" % (shadow, exc))
    if text is None:
        return not_applicable("no %s" % shadow)
    entries = [line.split(":") for line in text.splitlines() if line.count(":") >= 2]
    bad = [fields[0] for fields in entries if fields[1] == ""]
    if bad:
        return failed(*["%s: empty password (anyone may log in as it without one)" % name for name in bad])
    return passed("no empty password among %d accounts" % len(entries))


_UMASK = re.compile(r"(?:^|[\s;])umask\s+(?:-S\s+)?([0-7]{3,4})\b")


def acct_07_umask(ctx, login_defs=LOGIN_DEFS, profile_files=PROFILE_FILES, profile_dir=PROFILE_DIR):
    """ACCT-07: login.defs UMASK and the login shells' umask mask group write and all of others."""
    defs = parse_login_defs(read_optional(login_defs))
    # pam_umask and useradd use 022 when UMASK is missing (Debian 13's login.defs has none).
    umask = defs.get("UMASK", "022")
    bad, good = [], []
    line = "%s UMASK %s" % (login_defs, umask if "UMASK" in defs else "unset (022)")
    (good if _int(umask, 0, 8) & UMASK_BITS == UMASK_BITS else bad).append(line)
    shells = []
    for path, lineno, body in shell_lines(_profile_paths(profile_files, profile_dir)):
        for match in _UMASK.finditer(body):
            shells.append("%s line %d: umask %s" % (path, lineno, match.group(1)))
            (good if int(match.group(1), 8) & UMASK_BITS == UMASK_BITS else bad).append(shells[-1])
    if not shells:
        bad.append("no umask in %s or %s/*.sh: login shells keep 022" % (", ".join(profile_files), profile_dir))
    if bad:
        return failed(*(bad + good))
    return passed(*good)
