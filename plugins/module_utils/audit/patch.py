# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Patch state and package integrity (PATCH), file integrity (INTEG), rootkit scanners (IDS)."""

from __future__ import annotations

import glob
import os
import re

from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import (
    errored,
    failed,
    file_age_days,
    not_applicable,
    passed,
    read_optional,
    warned,
    which,
)

APT_UPGRADE = ["apt-get", "-s", "-o", "Debug::NoLocking=1", "upgrade"]
DPKG_VERIFY = ["dpkg", "--verify"]
RPM_VERIFY = ["rpm", "-Va"]

_INST_RE = re.compile(r"^Inst (\S+)(?: \[([^\]]*)\])? \((\S+) ([^\[)]*?)(?: \[[^\]]*\])?\)")


def parse_apt_simulation(text):
    """Upgrades of ``apt-get -s upgrade`` output: dicts with package, current, candidate, origins, security."""
    upgrades = []
    for line in text.splitlines():
        match = _INST_RE.match(line)
        if match:
            origins = [o.strip() for o in match.group(4).split(",") if o.strip()]
            upgrades.append(
                {
                    "package": match.group(1),
                    "current": match.group(2),
                    "candidate": match.group(3),
                    "origins": origins,
                    "security": any("security" in o.lower() for o in origins),
                }
            )
    return upgrades


def apt_upgrades(ctx):
    def load():
        if not which("apt-get"):
            return None
        res = ctx.run(APT_UPGRADE)
        if res.rc != 0:
            raise RuntimeError("%s: exit %d: %s" % (" ".join(APT_UPGRADE), res.rc, res.err.strip()[-200:]))
        return parse_apt_simulation(res.out)

    return ctx.cached("apt_upgrades", load)


def _describe_upgrade(u):
    return "%s %s -> %s (%s)" % (u["package"], u["current"] or "?", u["candidate"], ", ".join(u["origins"]))


def patch_01_pending(ctx):
    """PATCH-01: no package upgrade is pending."""
    upgrades = apt_upgrades(ctx)
    if upgrades is None:
        return not_applicable("no apt-get on this host")
    if upgrades:
        return warned(*["%d upgrades pending" % len(upgrades)] + [_describe_upgrade(u) for u in upgrades])
    return passed("no upgrade pending (as of the last apt-get update)")


def patch_02_security(ctx):
    """PATCH-02: no security upgrade is pending."""
    upgrades = apt_upgrades(ctx)
    if upgrades is None:
        return not_applicable("no apt-get on this host")
    security = [u for u in upgrades if u["security"]]
    if security:
        return failed(*["%d security upgrades pending" % len(security)] + [_describe_upgrade(u) for u in security])
    return passed("no security upgrade pending (as of the last apt-get update)")


def patch_03_reboot(ctx, flag="/var/run/reboot-required", pkgs="/var/run/reboot-required.pkgs"):
    """PATCH-03: no reboot is pending (/var/run/reboot-required)."""
    if not os.path.exists(flag):
        return passed("%s does not exist" % flag)
    packages = (read_optional(pkgs) or "").split()
    return warned("%s exists" % flag, *(["packages: %s" % ", ".join(packages)] if packages else []))


def version_key(text):
    """A sort key for kernel releases: digit runs as numbers, the rest as text."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|[A-Za-z]+", text)]


def installed_kernels(ctx, boot="/boot"):
    releases = set()
    for path in glob.glob(os.path.join(boot, "vmlinuz-*")):
        releases.add(os.path.basename(path)[len("vmlinuz-") :])
    for name in ctx.packages() or {}:
        match = re.match(r"^linux-image-(\d.*)$", name)
        if match and not match.group(1).endswith("-unsigned"):
            releases.add(match.group(1))
    return sorted(releases, key=version_key)


def patch_04_kernel(ctx, boot="/boot", release=None):
    """PATCH-04: the running kernel is the newest installed one."""
    release = release or os.uname().release
    kernels = installed_kernels(ctx, boot)
    if not kernels:
        return not_applicable("running %s; no kernel image installed (a container?)" % release)
    evidence = ["running %s" % release, "installed: %s" % ", ".join(kernels)]
    if kernels[-1] != release:
        return failed(*(evidence + ["reboot into %s" % kernels[-1]]))
    return passed(*evidence)


def parse_verify(text):
    """Lines of ``dpkg --verify`` or ``rpm -Va`` (rpm's format): dicts with flags, attr, path.

    A line is nine result characters ('.' passed, '?' not checked, a letter or digit
    failed: S size, M mode, 5 digest, D device, L link, U user, G group, T mtime,
    P capabilities) or ``missing``, then an attribute (c config, d doc, g ghost,
    l license, r readme, or blank) and the path. Other lines are ignored.
    """
    entries = []
    for line in text.splitlines():
        # dpkg separates the fields by one space, rpm puts two after the result characters.
        match = re.match(r"^(missing|[.?SM5DLUGTP]{9}) +(?:([cdglr]) )? *(/.*)$", line)
        if match:
            entries.append({"flags": match.group(1), "attr": match.group(2) or "", "path": match.group(3)})
    return entries


def classify_verify(entries):
    """(changed, missing, config) evidence: changed non-config files, missing non-config files, config files."""
    changed, missing, config = [], [], []
    for e in entries:
        line = "%s %s %s" % (e["flags"], e["attr"] or " ", e["path"])
        if e["attr"] in ("c", "g"):
            config.append(line)
        elif e["flags"] == "missing":
            missing.append(line)
        elif re.search(r"[SM5DLUGP]", e["flags"]):
            changed.append(line)
    return changed, missing, config


def patch_05_integrity(ctx):
    """PATCH-05: installed package files match the package database (dpkg --verify / rpm -Va)."""
    if which("dpkg"):
        argv = DPKG_VERIFY
    elif which("rpm"):
        argv = RPM_VERIFY
    else:
        return not_applicable("neither dpkg nor rpm on this host")
    res = ctx.run(argv)
    entries = parse_verify(res.out)
    if res.rc not in (0, 1) or (res.rc != 0 and not entries):
        return errored("%s: exit %d: %s" % (" ".join(argv), res.rc, res.err.strip()[-200:]))
    changed, missing, config = classify_verify(entries)
    summary = "%s: %d changed, %d missing, %d changed config files" % (
        " ".join(argv),
        len(changed),
        len(missing),
        len(config),
    )
    if changed:
        return failed(*([summary] + changed + missing + config))
    if missing:
        return warned(*([summary] + missing + config))
    return passed(*([summary] + config))


APT_CONFIG_DUMP = ["apt-config", "dump"]
UNATTENDED_PROGRAMS = ("/usr/bin/unattended-upgrade",)


def parse_apt_config(text):
    """``apt-config dump`` output: {key: [values]}; list items (``Key:: "value";``) under their key."""
    config = {}
    for line in text.splitlines():
        match = re.match(r'^(\S+?)(::)? "(.*)";$', line.strip())
        if match:
            config.setdefault(match.group(1), []).append(match.group(3))
    return config


def patch_06_unattended(ctx):
    """PATCH-06: unattended-upgrades is installed, enabled and upgrades from a security archive."""
    if not which("apt-config"):
        return not_applicable("no apt-config on this host")
    if not ctx.installed(["unattended-upgrades"], UNATTENDED_PROGRAMS):
        return failed("unattended-upgrades is not installed")
    res = ctx.run(APT_CONFIG_DUMP)
    if res.rc != 0:
        return errored("%s: exit %d: %s" % (" ".join(APT_CONFIG_DUMP), res.rc, res.err.strip()[-200:]))
    config = parse_apt_config(res.out)
    problems = []
    for key in ("APT::Periodic::Update-Package-Lists", "APT::Periodic::Unattended-Upgrade"):
        value = (config.get(key) or ["0"])[-1]
        if not value.isdigit() or int(value) == 0:
            problems.append("%s is %s (off)" % (key, value))
    origins = []
    for key in ("Unattended-Upgrade::Origins-Pattern", "Unattended-Upgrade::Allowed-Origins"):
        origins.extend(value for value in config.get(key, []) if value)
    security = [o for o in origins if "security" in o.lower()]
    if not security:
        problems.append("no security origin in Unattended-Upgrade::Origins-Pattern or Allowed-Origins")
    evidence = ["origins: %s" % ", ".join(origins or ["none"])]
    if problems:
        return failed(*(problems + evidence))
    return passed(*(["APT::Periodic::Unattended-Upgrade on"] + evidence))


# ---------------------------------------------------------------- INTEG / IDS

AIDE_DBS = ("/var/lib/aide/aide.db", "/var/lib/aide/aide.db.gz")
AIDE_LOG = "/var/log/aide/aide.log"
TRIPWIRE_LIB = "/var/lib/tripwire"


# (package, its programs: looked for on a host without dpkg)
INTEGRITY_TOOLS = (("aide", ("/usr/bin/aide", "/usr/sbin/aide")), ("tripwire", ("/usr/sbin/tripwire",)))


def installed_tools(ctx, candidates):
    """The names of the (package, programs) ``candidates`` installed on the host."""
    return [name for name, programs in candidates if ctx.installed([name], programs)]


def any_tool_installed(ctx, candidates):
    """Pass when one of the two tools ``candidates`` is installed."""
    tools = installed_tools(ctx, candidates)
    if not tools:
        return failed("neither %s nor %s is installed" % tuple(name for name, _programs in candidates))
    return passed("installed: %s" % ", ".join(tools))


def integ_01_installed(ctx):
    """INTEG-01: AIDE or Tripwire is installed."""
    return any_tool_installed(ctx, INTEGRITY_TOOLS)


def integ_02_database(ctx, aide_dbs=AIDE_DBS, tripwire_lib=TRIPWIRE_LIB):
    """INTEG-02: the integrity database is initialised."""
    tools = installed_tools(ctx, INTEGRITY_TOOLS)
    if not tools:
        return not_applicable("neither aide nor tripwire is installed (see INTEG-01)")
    found = [p for p in aide_dbs if os.path.exists(p)] if "aide" in tools else []
    if "tripwire" in tools:
        found += sorted(glob.glob(os.path.join(tripwire_lib, "*.twd")))
    if found:
        return passed(*found)
    expected = list(aide_dbs) if "aide" in tools else []
    if "tripwire" in tools:
        expected.append(os.path.join(tripwire_lib, "*.twd"))
    return failed("no database: %s" % ", ".join(expected))


def integ_03_last_check(ctx, aide_log=AIDE_LOG, tripwire_lib=TRIPWIRE_LIB):
    """INTEG-03: the last integrity check is at most max_check_age_days old."""
    tools = installed_tools(ctx, INTEGRITY_TOOLS)
    if not tools:
        return not_applicable("neither aide nor tripwire is installed (see INTEG-01)")
    logs = [aide_log] if "aide" in tools else []
    if "tripwire" in tools:
        logs += glob.glob(os.path.join(tripwire_lib, "report", "*.twr"))
    ages = [(file_age_days(p, ctx.now), p) for p in logs]
    ages = sorted(a for a in ages if a[0] is not None)
    limit = ctx.options["max_check_age_days"]
    if not ages:
        return failed("no check has run: no %s" % ", ".join(logs or [aide_log]))
    age, path = ages[0]
    evidence = "%s: %.1f days old (limit %s)" % (path, age, limit)
    return passed(evidence) if age <= limit else failed(evidence)


RKHUNTER_LOG = "/var/log/rkhunter.log"
CHKROOTKIT_LOG = "/var/log/chkrootkit/log.today"
ROOTKIT_TOOLS = (("rkhunter", ("/usr/bin/rkhunter",)), ("chkrootkit", ("/usr/sbin/chkrootkit",)))


def ids_01_installed(ctx):
    """IDS-01: rkhunter or chkrootkit is installed."""
    return any_tool_installed(ctx, ROOTKIT_TOOLS)


def ids_02_last_result(ctx, rkhunter_log=RKHUNTER_LOG, chkrootkit_log=CHKROOTKIT_LOG):
    """IDS-02: the last rootkit scan is recent and found nothing."""
    tools = installed_tools(ctx, ROOTKIT_TOOLS)
    if not tools:
        # No scanner, so no scan: a failure, as the control asks for a recent clean scan.
        return failed("no rootkit scan has run: neither rkhunter nor chkrootkit is installed (see IDS-01)")
    limit = ctx.options["max_check_age_days"]
    findings, stale, good = [], [], []
    for tool, path, marker in (
        ("rkhunter", rkhunter_log, re.compile(r"\bWarning:")),
        ("chkrootkit", chkrootkit_log, re.compile(r"INFECTED|Vulnerable")),
    ):
        if tool not in tools:
            continue
        text = read_optional(path)
        if text is None:
            stale.append("%s: no %s: never run" % (tool, path))
            continue
        age = file_age_days(path, ctx.now)
        hits = [line.strip() for line in text.splitlines() if marker.search(line)]
        findings.extend("%s: %s" % (path, h) for h in hits)
        line = "%s: %s %.1f days old, %d findings" % (tool, path, age, len(hits))
        (stale if age > limit else good).append(line)
    if findings:
        return failed(*(stale + good + findings))
    if stale:
        return warned(*(stale + good))
    return passed(*good)
