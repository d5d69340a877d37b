# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""OpenSSH's server (SSH): the effective configuration as ``sshd -T`` prints it.

``sshd -T`` resolves Include, first-value-wins and defaults, so the checks judge what sshd
really does, whichever file set it. It needs root (host keys) and sshd's privilege
separation directory; a failure is an error, not a pass.
"""

from __future__ import annotations

from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import (
    errored,
    failed,
    not_applicable,
    passed,
    which,
)

# The algorithms the ssh role writes (its preference lists): anything else is old or weak.
MODERN = {
    "ciphers": (
        "chacha20-poly1305@openssh.com",
        "aes256-gcm@openssh.com",
        "aes128-gcm@openssh.com",
        "aes256-ctr",
        "aes192-ctr",
        "aes128-ctr",
    ),
    "macs": ("hmac-sha2-512-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "umac-128-etm@openssh.com"),
    "kexalgorithms": (
        "mlkem768x25519-sha256",
        "sntrup761x25519-sha512",
        "sntrup761x25519-sha512@openssh.com",
        "sntrup4591761x25519-sha512@tinyssh.org",
        "curve25519-sha256",
        "curve25519-sha256@libssh.org",
        "diffie-hellman-group18-sha512",
        "diffie-hellman-group16-sha512",
        "diffie-hellman-group-exchange-sha256",
    ),
}


def parse_sshd_t(text):
    """``sshd -T`` output -> {keyword: [values in order]} (AllowUsers and the like repeat)."""
    values = {}
    for line in text.splitlines():
        key, _sep, value = line.strip().partition(" ")
        if key:
            values.setdefault(key.lower(), []).append(value.strip())
    return values


def _read(ctx):
    sshd = which("sshd")
    if sshd is None:
        return None, "sshd is not installed"
    result = ctx.run([sshd, "-T"])
    if result.rc != 0:
        return None, "sshd -T failed (rc %d): %s" % (result.rc, (result.err or result.out).strip()[:200])
    return parse_sshd_t(result.out), None


def effective(ctx):
    """(values, None) or (None, why): cached for every SSH check of one audit."""
    return ctx.cached("sshd -T", _read, ctx)


def _with_config(func):
    def check(ctx):
        values, why = effective(ctx)
        if values is None:
            return not_applicable(why) if why == "sshd is not installed" else errored(why)
        return func(values)

    check.__name__ = func.__name__
    check.__doc__ = func.__doc__
    return check


def _one(values, key, default="(unset)"):
    return (values.get(key) or [default])[0]


@_with_config
def ssh_01_root_login(values):
    """SSH-01: PermitRootLogin no, or key-only (prohibit-password / without-password)."""
    value = _one(values, "permitrootlogin")
    line = "permitrootlogin %s" % value
    if value in ("no", "without-password", "prohibit-password", "forced-commands-only"):
        return passed(line)
    return failed(line + ": root may log in with a password")


@_with_config
def ssh_02_passwords(values):
    """SSH-02: no password or keyboard-interactive authentication, no empty passwords."""
    keys = ("passwordauthentication", "kbdinteractiveauthentication", "permitemptypasswords")
    lines = ["%s %s" % (k, _one(values, k)) for k in keys]
    bad = [line for line in lines if line.endswith(" yes")]
    if bad:
        return failed(*[line + ": want no" for line in bad])
    return passed(*lines)


@_with_config
def ssh_03_algorithms(values):
    """SSH-03: ciphers, MACs and key exchanges are modern ones only."""
    evidence, bad = [], False
    for key, modern in sorted(MODERN.items()):
        offered = [name for name in _one(values, key, "").split(",") if name]
        weak = [name for name in offered if name not in modern]
        if weak:
            bad = True
            evidence.append("%s: old or weak %s" % (key, ",".join(weak)))
        elif not offered:
            bad = True
            evidence.append("%s: none listed" % key)
        else:
            evidence.append("%s %s" % (key, ",".join(offered)))
    return (failed if bad else passed)(*evidence)


@_with_config
def ssh_04_allowed(values):
    """SSH-04: AllowUsers or AllowGroups limits who may log in."""
    users, groups = values.get("allowusers", []), values.get("allowgroups", [])
    if not users and not groups:
        return failed("no AllowUsers and no AllowGroups: every account may try to log in")
    evidence = []
    if users:
        evidence.append("allowusers %s" % " ".join(users))
    if groups:
        evidence.append("allowgroups %s" % " ".join(groups))
    return passed(*evidence)


@_with_config
def ssh_06_session(values):
    """SSH-06: X11Forwarding no, HostbasedAuthentication no, IgnoreRhosts yes, MaxAuthTries <= 4."""
    want = {"x11forwarding": "no", "hostbasedauthentication": "no", "ignorerhosts": "yes"}
    bad = ["%s %s: want %s" % (k, _one(values, k), v) for k, v in sorted(want.items()) if _one(values, k) != v]
    tries = _one(values, "maxauthtries", "6")
    if not tries.isdigit() or int(tries) > 4:
        bad.append("maxauthtries %s: want 4 or fewer" % tries)
    if bad:
        return failed(*bad)
    return passed(*["%s %s" % (k, _one(values, k)) for k in sorted(want)] + ["maxauthtries %s" % tries])
