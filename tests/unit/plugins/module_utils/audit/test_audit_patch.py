# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Patch state (PATCH), integrity tools (INTEG) and rootkit scanners (IDS)."""

from __future__ import annotations

import os

import pytest
from ansible_collections.bastion.hardening.plugins.module_utils.audit import patch
from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import CommandResult
from audit_helpers import AUDIT, make_ctx

CMD = AUDIT / "cmd"
APT_OUT = (CMD / "apt-get-s-upgrade.debian12").read_text()


@pytest.fixture()
def tools(monkeypatch):
    """Pretend which() finds exactly the tools in the returned set."""
    present = set()
    monkeypatch.setattr(patch, "which", lambda name: "/usr/bin/" + name if name in present else None)
    return present


def test_parse_apt_simulation_debian12():
    upgrades = patch.parse_apt_simulation(APT_OUT)
    assert [(u["package"], u["current"], u["candidate"], u["security"]) for u in upgrades] == [
        ("tzdata", "2026b-0+deb12u1", "2026f-0+deb12u1", True),
        ("ca-certificates", "20230311+deb12u1", "20250419~deb12u2", True),
        ("curl", "7.88.1-10+deb12u5", "7.88.1-10+deb12u15", False),
        ("libcurl4", "7.88.1-10+deb12u5", "7.88.1-10+deb12u15", False),
    ]
    assert upgrades[0]["origins"] == ["Debian-Security:12/oldstable-security"]


def test_patch_01_02(tools):
    tools.add("apt-get")
    ctx = make_ctx(answers={tuple(patch.APT_UPGRADE): CommandResult(0, APT_OUT)})
    res = patch.patch_01_pending(ctx)
    assert res.status == "warn"
    assert res.evidence[:2] == [
        "4 upgrades pending",
        "tzdata 2026b-0+deb12u1 -> 2026f-0+deb12u1 (Debian-Security:12/oldstable-security)",
    ]
    res = patch.patch_02_security(ctx)
    assert (res.status, res.evidence[0]) == ("fail", "2 security upgrades pending")
    assert ctx.run.calls == [patch.APT_UPGRADE]  # run once, shared


def test_patch_01_apt_fails_and_absent(tools):
    tools.add("apt-get")
    ctx = make_ctx(answers={tuple(patch.APT_UPGRADE): CommandResult(100, "", "E: Could not open lock file")})
    with pytest.raises(RuntimeError, match="exit 100: E: Could not open lock file"):
        patch.patch_01_pending(ctx)
    tools.clear()
    assert patch.patch_02_security(make_ctx()).status == "not_applicable"


def test_patch_03_reboot(tmp_path):
    flag, pkgs = tmp_path / "reboot-required", tmp_path / "reboot-required.pkgs"
    assert patch.patch_03_reboot(make_ctx(), str(flag), str(pkgs)).status == "pass"
    flag.write_text("*** System restart required ***\n")
    pkgs.write_text("libc6\nlinux-image-6.1.0-21-amd64\n")
    res = patch.patch_03_reboot(make_ctx(), str(flag), str(pkgs))
    assert (res.status, res.evidence) == ("warn", ["%s exists" % flag, "packages: libc6, linux-image-6.1.0-21-amd64"])


def test_patch_04_kernel(tmp_path):
    for release in ("6.1.0-9-amd64", "6.1.0-18-amd64"):
        (tmp_path / ("vmlinuz-" + release)).write_text("")
    ctx = make_ctx(packages={"linux-image-6.1.0-21-amd64": "6.1.90-1", "linux-image-amd64": "6.1.90-1"})
    res = patch.patch_04_kernel(ctx, str(tmp_path), "6.1.0-18-amd64")
    assert (res.status, res.evidence) == (
        "fail",
        [
            "running 6.1.0-18-amd64",
            "installed: 6.1.0-9-amd64, 6.1.0-18-amd64, 6.1.0-21-amd64",
            "reboot into 6.1.0-21-amd64",
        ],
    )
    assert patch.patch_04_kernel(make_ctx(packages={}), str(tmp_path), "6.1.0-18-amd64").status == "pass"
    assert patch.patch_04_kernel(make_ctx(packages={}), "/nonexistent", "6.18.44").status == "not_applicable"


def test_parse_dpkg_verify_debian12():
    entries = patch.parse_verify((CMD / "dpkg-verify.debian12").read_text())
    assert entries == [
        {"flags": "??5??????", "attr": "", "path": "/usr/share/zoneinfo/Etc/UTC"},
        {"flags": "missing", "attr": "", "path": "/usr/share/doc/curl/copyright"},
    ]


def test_parse_rpm_va_sample():
    entries = patch.parse_verify((CMD / "rpm-Va.sample").read_text())
    assert len(entries) == 10
    changed, missing, config = patch.classify_verify(entries)
    assert changed == [".M.......   /usr/bin/passwd", "..5....T.   /usr/sbin/sshd", ".....UG..   /var/lib/foo"]
    assert missing == ["missing d /usr/share/doc/openssh/README", "missing   /usr/lib64/libfoo.so.1"]
    assert config == [
        "S.5....T. c /etc/ssh/sshd_config",
        ".......T. c /etc/sysconfig/chronyd",
        "missing g /var/run/foo.pid",
    ]


def test_patch_05_dpkg(tools):
    tools.add("dpkg")
    ctx = make_ctx(answers={tuple(patch.DPKG_VERIFY): CommandResult(1, (CMD / "dpkg-verify.debian12").read_text())})
    res = patch.patch_05_integrity(ctx)
    assert (res.status, res.evidence) == (
        "fail",
        [
            "dpkg --verify: 1 changed, 1 missing, 0 changed config files",
            "??5??????   /usr/share/zoneinfo/Etc/UTC",
            "missing   /usr/share/doc/curl/copyright",
        ],
    )
    ctx = make_ctx(answers={tuple(patch.DPKG_VERIFY): CommandResult(0, "")})
    assert patch.patch_05_integrity(ctx).status == "pass"
    ctx = make_ctx(answers={tuple(patch.DPKG_VERIFY): CommandResult(2, "", "dpkg: error: unknown option")})
    assert patch.patch_05_integrity(ctx).evidence == ["dpkg --verify: exit 2: dpkg: error: unknown option"]


def test_patch_05_rpm(tools):
    tools.add("rpm")
    ctx = make_ctx(answers={tuple(patch.RPM_VERIFY): CommandResult(1, (CMD / "rpm-Va.sample").read_text())})
    res = patch.patch_05_integrity(ctx)
    assert (res.status, res.evidence[0]) == ("fail", "rpm -Va: 3 changed, 2 missing, 3 changed config files")
    tools.clear()
    assert patch.patch_05_integrity(make_ctx()).status == "not_applicable"


def test_integ(tmp_path):
    db, log = tmp_path / "aide.db", tmp_path / "aide.log"
    ctx = make_ctx(packages={"aide": "0.18"})
    assert patch.integ_01_installed(ctx).evidence == ["installed: aide"]
    res = patch.integ_02_database(ctx, (str(db),), str(tmp_path))
    assert (res.status, res.evidence) == ("fail", ["no database: %s" % db])
    db.write_text("")
    assert patch.integ_02_database(ctx, (str(db),), str(tmp_path)).status == "pass"
    assert patch.integ_03_last_check(ctx, str(log)).evidence == ["no check has run: no %s" % log]
    log.write_text("AIDE found NO differences\n")
    os.utime(str(log), (ctx.now - 86400, ctx.now - 86400))
    assert patch.integ_03_last_check(ctx, str(log)).evidence == ["%s: 1.0 days old (limit 2)" % log]
    os.utime(str(log), (ctx.now - 5 * 86400, ctx.now - 5 * 86400))
    assert patch.integ_03_last_check(ctx, str(log)).status == "fail"
    none = make_ctx(packages={})
    assert [patch.integ_01_installed(none).status, patch.integ_02_database(none).status] == ["fail", "not_applicable"]


def test_ids_rkhunter_debian12_warnings(tmp_path):
    log = tmp_path / "rkhunter.log"
    log.write_text((CMD / "rkhunter.log.debian12").read_text())
    ctx = make_ctx(packages={"rkhunter": "1.4.6"})
    os.utime(str(log), (ctx.now - 3600, ctx.now - 3600))
    res = patch.ids_02_last_result(ctx, str(log), "/nonexistent")
    assert res.status == "fail"
    assert res.evidence[0] == "rkhunter: %s 0.0 days old, 18 findings" % log
    assert "Warning: Found enabled inetd service: shell" in res.evidence[2]


def test_ids_clean_stale_and_missing(tmp_path):
    log = tmp_path / "log.today"
    log.write_text("Checking `amd'...                                           not found\nnothing found\n")
    ctx = make_ctx(packages={"chkrootkit": "0.57"})
    os.utime(str(log), (ctx.now - 10 * 86400, ctx.now - 10 * 86400))
    assert patch.ids_02_last_result(ctx, "/nonexistent", str(log)).status == "warn"
    os.utime(str(log), (ctx.now, ctx.now))
    assert patch.ids_02_last_result(ctx, "/nonexistent", str(log)).status == "pass"
    res = patch.ids_02_last_result(make_ctx(packages={"rkhunter": "1"}), "/nonexistent/rkhunter.log")
    assert (res.status, res.evidence) == ("warn", ["rkhunter: no /nonexistent/rkhunter.log: never run"])
    assert patch.ids_01_installed(make_ctx(packages={})).status == "fail"
    res = patch.ids_02_last_result(make_ctx(packages={}), "/nonexistent", "/nonexistent")
    assert res.status == "fail" and "no rootkit scan has run" in res.evidence[0]


APT_CONFIG_STOCK = (CMD / "apt-config-dump.debian12-stock").read_text()
APT_CONFIG_BASTION = (CMD / "apt-config-dump.debian12-bastion").read_text()


def test_parse_apt_config():
    config = patch.parse_apt_config(APT_CONFIG_BASTION)
    assert config["APT::Periodic::Unattended-Upgrade"] == ["1"]
    assert config["Unattended-Upgrade::Mail"] == ["admin@example.org"]
    assert config["Unattended-Upgrade::Origins-Pattern"] == [
        "",
        "origin=Debian,codename=${distro_codename}-security,label=Debian-Security",
        "origin=Debian,codename=${distro_codename},label=Debian-Security",
    ]


def _uu_ctx(dump, installed=True):
    packages = {"unattended-upgrades": "2.9.1+nmu3"} if installed else {}
    return make_ctx(packages=packages, answers={tuple(patch.APT_CONFIG_DUMP): CommandResult(0, dump)})


def test_patch_06_configured(tools):
    tools.add("apt-config")
    res = patch.patch_06_unattended(_uu_ctx(APT_CONFIG_BASTION))
    assert res.status == "pass"
    assert res.evidence[0] == "APT::Periodic::Unattended-Upgrade on"
    # Debian's own configuration right after installing the package also upgrades from security.
    assert patch.patch_06_unattended(_uu_ctx(APT_CONFIG_STOCK)).status == "pass"


def test_patch_06_not_installed_or_off(tools):
    tools.add("apt-config")
    res = patch.patch_06_unattended(_uu_ctx(APT_CONFIG_STOCK, installed=False))
    assert (res.status, res.evidence) == ("fail", ["unattended-upgrades is not installed"])
    # 20auto-upgrades removed: the periodic settings are unset.
    off = "\n".join(line for line in APT_CONFIG_STOCK.splitlines() if not line.startswith("APT::Periodic::"))
    res = patch.patch_06_unattended(_uu_ctx(off))
    assert res.status == "fail"
    assert res.evidence[:2] == [
        "APT::Periodic::Update-Package-Lists is 0 (off)",
        "APT::Periodic::Unattended-Upgrade is 0 (off)",
    ]
    # Point releases only: no security origin.
    no_security = "\n".join(line for line in APT_CONFIG_STOCK.splitlines() if "Security" not in line)
    res = patch.patch_06_unattended(_uu_ctx(no_security))
    assert res.status == "fail"
    assert res.evidence == [
        "no security origin in Unattended-Upgrade::Origins-Pattern or Allowed-Origins",
        "origins: origin=Debian,codename=${distro_codename},label=Debian",
    ]


def test_patch_06_apt_config_fails_or_absent(tools):
    assert patch.patch_06_unattended(make_ctx()).status == "not_applicable"
    tools.add("apt-config")
    ctx = make_ctx(
        packages={"unattended-upgrades": "2.9.1+nmu3"},
        answers={tuple(patch.APT_CONFIG_DUMP): CommandResult(100, "", "E: Syntax error /etc/apt/apt.conf.d/52x:3")},
    )
    res = patch.patch_06_unattended(ctx)
    assert (res.status, res.evidence) == (
        "error",
        ["apt-config dump: exit 100: E: Syntax error /etc/apt/apt.conf.d/52x:3"],
    )
