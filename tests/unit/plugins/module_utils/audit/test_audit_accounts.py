# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ACCT checks on the real files of stock Debian 11, 12 and 13 (login.defs, pam.d, passwd,
shadow, group, profile) and on copies changed the way the accounts role changes them."""

from __future__ import annotations

import shutil

import pytest
from ansible_collections.bastion.hardening.plugins.module_utils.audit import accounts
from audit_helpers import AUDIT, make_ctx

FIX = AUDIT / "accounts"
RELEASES = ["stock-d11", "stock-d12", "stock-d13"]

PWQUALITY_LINE = "password\trequisite\t\t\tpam_pwquality.so retry=3\n"


def paths(root):
    etc = root / "etc"
    return {
        "pam_dir": str(etc / "pam.d"),
        "conf": str(etc / "security" / "pwquality.conf"),
        "conf_dir": str(etc / "security" / "pwquality.conf.d"),
        "login_defs": str(etc / "login.defs"),
        "profile_files": (str(etc / "profile"), str(etc / "bash.bashrc")),
        "profile_dir": str(etc / "profile.d"),
        "pam_su": str(etc / "pam.d" / "su"),
        "group": str(etc / "group"),
        "passwd": str(etc / "passwd"),
        "shadow": str(etc / "shadow"),
    }


def run_all(root):
    p = paths(root)
    ctx = make_ctx()
    return {
        "ACCT-01": accounts.acct_01_password_quality(ctx, p["pam_dir"], p["conf"], p["conf_dir"]),
        "ACCT-02": accounts.acct_02_password_ageing(ctx, p["login_defs"]),
        "ACCT-03": accounts.acct_03_idle_timeout(ctx, p["profile_files"], p["profile_dir"]),
        "ACCT-04": accounts.acct_04_su_group(ctx, p["pam_su"], p["group"]),
        "ACCT-05": accounts.acct_05_system_shells(ctx, p["passwd"], p["login_defs"]),
        "ACCT-06": accounts.acct_06_empty_passwords(ctx, p["shadow"]),
        "ACCT-07": accounts.acct_07_umask(ctx, p["login_defs"], p["profile_files"], p["profile_dir"]),
    }


def copy(release, tmp_path):
    root = tmp_path / release
    shutil.copytree(FIX / release, root)
    (root / "etc" / "security" / "pwquality.conf.d").mkdir(parents=True)
    # git keeps no empty directory: the stock profile.d has no file in the fixtures.
    (root / "etc" / "profile.d").mkdir(parents=True, exist_ok=True)
    return root


def harden(root, group="wheel"):
    """What the accounts role writes, by hand."""
    etc = root / "etc"
    common = etc / "pam.d" / "common-password"
    text = common.read_text()
    common.write_text(text.replace("password\t[success=1", PWQUALITY_LINE + "password\t[success=1", 1))
    (etc / "security" / "pwquality.conf.d" / "90-bastion.conf").write_text(
        "minlen = 14\nminclass = 3\nenforce_for_root\n"
    )
    defs = etc / "login.defs"
    lines = [
        line
        for line in defs.read_text().splitlines()
        if not line.startswith(("PASS_MAX_DAYS", "PASS_MIN_DAYS", "PASS_WARN_AGE", "UMASK"))
    ]
    defs.write_text("\n".join(lines + ["PASS_MAX_DAYS 90", "PASS_MIN_DAYS 1", "PASS_WARN_AGE 14", "UMASK 027"]) + "\n")
    (etc / "profile.d" / "bastion-accounts.sh").write_text("TMOUT=900\nreadonly TMOUT\nexport TMOUT\numask 027\n")
    su = etc / "pam.d" / "su"
    su.write_text(
        su.read_text().replace(
            "# auth       required   pam_wheel.so\n", "auth       required   pam_wheel.so use_uid group=%s\n" % group
        )
    )
    with open(etc / "group", "a") as f:
        f.write("%s:x:990:alice\n" % group)


@pytest.mark.parametrize("release", RELEASES)
def test_stock_debian_fails_the_policy(release):
    results = run_all(FIX / release)
    status = dict((k, v.status) for k, v in results.items())
    # Stock Debian: no pwquality, ageing 99999/0, no TMOUT, su open to all, umask 022; system
    # accounts have nologin and no password is empty.
    assert status == {
        "ACCT-01": "fail",
        "ACCT-02": "fail",
        "ACCT-03": "fail",
        "ACCT-04": "fail",
        "ACCT-05": "pass",
        "ACCT-06": "pass",
        "ACCT-07": "fail",
    }, results
    assert "pam_pwquality is not in" in results["ACCT-01"].evidence[0]
    assert results["ACCT-02"].evidence == ["PASS_MAX_DAYS 99999: want 1 to 365", "PASS_MIN_DAYS 0: want 1 or more"]


@pytest.mark.parametrize("release", RELEASES)
def test_hardened_copy_passes(release, tmp_path):
    root = copy(release, tmp_path)
    harden(root)
    results = run_all(root)
    assert dict((k, v.status) for k, v in results.items()) == dict((k, "pass") for k in results), results
    assert results["ACCT-04"].evidence[-1] == "group wheel: alice"


def test_debian13_login_defs_has_no_umask():
    result = accounts.acct_07_umask(
        make_ctx(), **{k: paths(FIX / "stock-d13")[k] for k in ("login_defs", "profile_files", "profile_dir")}
    )
    assert result.status == "fail"
    assert any("UMASK unset (022)" in e for e in result.evidence), result


def test_pwquality_order_module_arguments_win(tmp_path):
    root = copy("stock-d12", tmp_path)
    harden(root)
    etc = root / "etc"
    # A later conf.d file lowers minlen: it wins over 90-bastion.conf... only if it sorts later.
    (etc / "security" / "pwquality.conf.d" / "95-site.conf").write_text("minlen = 8\n")
    assert run_all(root)["ACCT-01"].status == "fail"
    # The module's own arguments win over every file.
    common = etc / "pam.d" / "common-password"
    common.write_text(common.read_text().replace("pam_pwquality.so retry=3", "pam_pwquality.so retry=3 minlen=16"))
    result = run_all(root)["ACCT-01"]
    assert result.status == "pass" and "minlen 16" in result.evidence[1], result


def test_pwquality_without_classes_warns_and_not_enforcing_fails(tmp_path):
    root = copy("stock-d12", tmp_path)
    harden(root)
    conf = root / "etc" / "security" / "pwquality.conf.d" / "90-bastion.conf"
    conf.write_text("minlen = 14\n")
    assert run_all(root)["ACCT-01"].status == "warn"
    conf.write_text("minlen = 14\ndcredit = -1\nucredit = -1\nlcredit = -1\n")
    assert run_all(root)["ACCT-01"].status == "pass"
    conf.write_text("minlen = 14\nminclass = 3\nenforcing = 0\n")
    result = run_all(root)["ACCT-01"]
    assert result.status == "fail" and "enforcing = 0" in result.evidence[0], result


def test_pam_split_keeps_bracketed_control():
    entries = accounts.parse_pam((FIX / "stock-d12" / "etc" / "pam.d" / "common-password").read_text())
    assert entries[0] == ("password", "[success=1 default=ignore]", "pam_unix.so", ["obscure", "yescrypt"])
    assert accounts.parse_pam("-auth optional /lib/security/pam_x.so a=1 # c\n@include common-auth\n") == [
        ("auth", "optional", "pam_x.so", ["a=1"]),
        ("@include", "", "common-auth", []),
    ]


@pytest.mark.parametrize(
    "profile, status, text",
    [
        ("TMOUT=600\nexport TMOUT\n", "fail", "not read-only"),
        ("readonly TMOUT=3600\n", "fail", "want 1 to 900"),
        ("# readonly TMOUT=600\n", "fail", "TMOUT is not set"),
        ("declare -r TMOUT=600\n", "pass", "TMOUT=600"),
        ("TMOUT=300; readonly TMOUT; export TMOUT\n", "pass", "read-only"),
    ],
)
def test_tmout_forms(tmp_path, profile, status, text):
    (tmp_path / "profile.d").mkdir()
    (tmp_path / "profile.d" / "tmout.sh").write_text(profile)
    result = accounts.acct_03_idle_timeout(make_ctx(), (str(tmp_path / "profile"),), str(tmp_path / "profile.d"))
    assert result.status == status and text in " ".join(result.evidence), result


def test_su_group_missing_or_deny_only(tmp_path):
    root = copy("stock-d12", tmp_path)
    p = paths(root)
    su = root / "etc" / "pam.d" / "su"
    su.write_text(su.read_text() + "auth required pam_wheel.so deny group=nosu\n")
    assert accounts.acct_04_su_group(make_ctx(), p["pam_su"], p["group"]).status == "fail"
    su.write_text(su.read_text() + "auth required pam_wheel.so use_uid group=admins\n")
    result = accounts.acct_04_su_group(make_ctx(), p["pam_su"], p["group"])
    assert result.status == "fail" and "group admins does not exist" in result.evidence[-1], result


def test_system_shells_and_empty_passwords(tmp_path):
    root = copy("stock-d12", tmp_path)
    p = paths(root)
    with open(p["passwd"], "a") as f:
        f.write("legacy:x:998:998::/var/lib/legacy:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n")
    passwd = root / "etc" / "passwd"
    passwd.write_text(
        passwd.read_text().replace("daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin", "daemon:x:1:1:daemon:/usr/sbin:")
    )
    result = accounts.acct_05_system_shells(make_ctx(), p["passwd"], p["login_defs"])
    assert result.status == "fail"
    assert result.evidence == ["daemon uid 1 shell (empty: /bin/sh)", "legacy uid 998 shell /bin/bash"], result
    with open(p["shadow"], "a") as f:
        f.write("alice::20000:0:99999:7:::\n")
    result = accounts.acct_06_empty_passwords(make_ctx(), p["shadow"])
    assert result.status == "fail" and result.evidence[0].startswith("alice: empty password"), result


def test_weak_umask_in_profile_fails(tmp_path):
    root = copy("stock-d12", tmp_path)
    harden(root)
    with open(root / "etc" / "bash.bashrc", "a") as f:
        f.write("umask 002\n")
    p = paths(root)
    result = accounts.acct_07_umask(make_ctx(), p["login_defs"], p["profile_files"], p["profile_dir"])
    assert result.status == "fail" and any("umask 002" in e for e in result.evidence), result
