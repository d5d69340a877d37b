# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mounts, the filesystem walk (PERM-06..09), fixed-path permissions (PERM-01..05), TMP."""

from __future__ import annotations

import os

import pytest
from ansible_collections.bastion.hardening.plugins.module_utils.audit import files
from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import SKIP_FSTYPES
from audit_helpers import AUDIT, make_ctx

MOUNTINFO = (AUDIT / "mountinfo" / "debian12-container").read_text()


def test_parse_mountinfo_container():
    mounts = files.parse_mountinfo(MOUNTINFO)
    shm = [m for m in mounts if m["mountpoint"] == "/dev/shm"][0]
    assert shm == {
        "mountpoint": "/dev/shm",
        "options": ["rw", "nosuid", "nodev", "noexec", "relatime"],
        "fstype": "tmpfs",
        "source": "shm",
        "super_options": ["rw", "size=65536k"],
    }
    skip = files.skip_paths(mounts, SKIP_FSTYPES)
    assert {"/proc", "/sys", "/dev/pts", "/dev/mqueue", "/sys/fs/cgroup/cpu", "/proc/sys"} <= skip
    assert "/dev/shm" not in skip and "/run" not in skip and "/" not in skip
    assert "/var/lib/docker/overlay2/l/S5U7TJOK7HRC5U6RJVTBCYPGJF" in skip


def test_parse_mountinfo_escapes_and_garbage():
    line = "36 35 98:0 / /mnt/with\\040space rw,noatime master:1 - ext4 /dev/sda1 rw\n"
    assert files.parse_mountinfo(line)[0]["mountpoint"] == "/mnt/with space"
    with pytest.raises(ValueError, match=r"cannot parse /proc/self/mountinfo line 1"):
        files.parse_mountinfo("36 35 98:0 / /mnt rw\n")


def tmp_ctx(mountinfo=MOUNTINFO, **options):
    ctx = make_ctx(options)
    ctx.cache["mounts"] = files.parse_mountinfo(mountinfo)
    return ctx


@pytest.mark.parametrize(
    "check, expected",
    [
        (files.tmp_01_tmp, ("fail", ["/tmp is not a separate mount: nodev,nosuid,noexec cannot be set"])),
        (files.tmp_03_dev_shm, ("pass", ["/dev/shm: tmpfs rw,nosuid,nodev,noexec,relatime"])),
    ],
)
def test_tmp_container(check, expected):
    res = check(tmp_ctx())
    assert (res.status, res.evidence) == expected


def test_tmp_missing_options():
    extra = "300 190 0:90 / /var/tmp rw,nosuid,relatime - tmpfs tmpfs rw\n"
    res = files.tmp_02_var_tmp(tmp_ctx(MOUNTINFO + extra))
    assert (res.status, res.evidence) == ("fail", ["/var/tmp: tmpfs rw,nosuid,relatime", "missing: nodev,noexec"])


@pytest.fixture()
def tree(tmp_path):
    """A small tree with one of each finding, a symlink loop and a skipped mount point."""
    root = tmp_path / "root"
    for d in ("usr/bin", "tmp", "shared", "proc/1", "data"):
        (root / d).mkdir(parents=True)
    for name, mode in (
        ("usr/bin/passwd", 0o4755),
        ("usr/bin/evil", 0o4755),
        ("usr/bin/wall", 0o2755),
        ("data/open", 0o666),
    ):
        (root / name).write_text("x")
        os.chmod(str(root / name), mode)
    os.chmod(str(root / "tmp"), 0o1777)
    os.chmod(str(root / "shared"), 0o777)
    (root / "proc" / "1" / "suid").write_text("x")
    os.chmod(str(root / "proc" / "1" / "suid"), 0o4755)
    (root / "data" / "orphan").write_text("x")
    os.chown(str(root / "data" / "orphan"), 4242, 0)
    os.symlink(str(root), str(root / "data" / "loop"))
    return root


def walk(root, budget=60.0):
    return files.walk([str(root)], {str(root / "proc")}, budget, {0}, {0})


def test_walk_finds_everything(tree):
    result = walk(tree)
    assert (result["files"], result["directories"], result["complete"]) == (6, 6, True)
    assert result["skipped_mounts"] == [str(tree / "proc")]
    assert [(p, oct(m & 0o7777)) for p, m, u, g in result["special"]] == [
        (str(tree / "usr/bin/evil"), "0o4755"),
        (str(tree / "usr/bin/passwd"), "0o4755"),
        (str(tree / "usr/bin/wall"), "0o2755"),
    ]
    assert [p for p, m in result["world_writable_files"]] == [str(tree / "data/open")]
    assert [p for p, m in result["world_writable_dirs"]] == [str(tree / "shared")]
    assert result["unowned"] == [(str(tree / "data/orphan"), 4242, 0)]


def test_perm_walk_checks(tree):
    ctx = make_ctx({"suid_allowlist": [str(tree / "usr/bin/passwd"), str(tree / "usr/bin/wall")]})
    ctx.cache["walk"] = walk(tree)
    res = files.perm_06_suid(ctx)
    assert (res.status, res.evidence) == ("fail", ["%s 4755 uid 0 gid 0" % (tree / "usr/bin/evil")])
    assert files.perm_07_world_writable_files(ctx).evidence == ["%s 0666" % (tree / "data/open")]
    assert files.perm_08_sticky_dirs(ctx).evidence == ["%s 0777" % (tree / "shared")]
    assert files.perm_09_unowned(ctx).evidence == ["%s uid 4242 gid 0" % (tree / "data/orphan")]


def test_walk_out_of_time(tree):
    ticks = iter([0.0, 0.0, 100.0, 100.0])
    result = files.walk([str(tree)], set(), 1.0, {0}, {0}, clock=lambda: next(ticks))
    assert result["complete"] is False
    ctx = make_ctx({"suid_allowlist": []})
    ctx.cache["walk"] = result
    # The root directory was read before the time ran out: its finding stays a failure.
    res = files.perm_08_sticky_dirs(ctx)
    assert (res.status, res.evidence) == ("fail", ["walk incomplete: more may exist", "%s 0777" % (tree / "shared")])
    res = files.perm_06_suid(ctx)
    assert (res.status, res.evidence) == (
        "warn",
        ["walk incomplete: stopped after walk_time_budget, no SUID/SGID file outside suid_allowlist found so far"],
    )


def test_run_walk_uses_options(tree, tmp_path):
    passwd = tmp_path / "passwd"
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n")
    ctx = tmp_ctx(walk_roots=[str(tree) + "/"], walk_time_budget=30.0)
    result = files.run_walk(ctx, str(passwd), str(passwd))
    assert result["complete"] is True
    assert str(tree / "proc/1/suid") in [p for p, m, u, g in result["special"]]
    assert files.walk_summary(result)["files"] == 7


def make_file(path, mode, uid=0, gid=0):
    path.write_text("x")
    os.chmod(str(path), mode)
    os.chown(str(path), uid, gid)
    return str(path)


def test_perm_02_shadow(tmp_path):
    group = tmp_path / "group"
    group.write_text("root:x:0:\nshadow:x:42:\n")
    shadow = make_file(tmp_path / "shadow", 0o640, 0, 42)
    gshadow = make_file(tmp_path / "gshadow", 0o644, 0, 42)
    res = files.perm_02_shadow(make_ctx(), (shadow, gshadow), str(group))
    assert (res.status, res.evidence) == ("fail", ["%s 0644 uid 0 gid 42" % gshadow, "%s 0640 uid 0 gid 42" % shadow])
    os.chmod(gshadow, 0o640)
    assert files.perm_02_shadow(make_ctx(), (shadow, gshadow), str(group)).status == "pass"
    assert files.perm_02_shadow(make_ctx(), (str(tmp_path / "none"),), str(group)).status == "not_applicable"


def test_perm_03_05(tmp_path):
    passwd = make_file(tmp_path / "passwd", 0o644)
    grp = make_file(tmp_path / "group", 0o664)
    assert files.perm_03_passwd(make_ctx(), (passwd, grp)).status == "fail"
    sshd = make_file(tmp_path / "sshd_config", 0o644)
    assert files.perm_05_sshd_config(make_ctx(), (sshd,)).evidence == ["%s 0644 uid 0 gid 0" % sshd]
    assert files.perm_05_sshd_config(make_ctx(), (sshd,)).status == "warn"
    os.chmod(sshd, 0o600)
    assert files.perm_05_sshd_config(make_ctx(), (sshd,)).status == "pass"


def test_perm_01_init_scripts(tmp_path):
    init = tmp_path / "init.d"
    init.mkdir()
    make_file(init / "ssh", 0o700)
    assert files.perm_01_init_scripts(make_ctx(), (str(init),)).status == "pass"
    make_file(init / "cron", 0o755)
    res = files.perm_01_init_scripts(make_ctx(), (str(init), "/nonexistent"))
    assert (res.status, res.evidence) == (
        "warn",
        ["1 init scripts readable or executable by group/others, e.g. %s 0755 uid 0 gid 0" % (init / "cron")],
    )
    make_file(init / "bad", 0o775)
    assert files.perm_01_init_scripts(make_ctx(), (str(init),)).evidence == ["%s 0775 uid 0 gid 0" % (init / "bad")]
    assert files.perm_01_init_scripts(make_ctx(), ("/nonexistent",)).status == "not_applicable"


def test_perm_04_cron(tmp_path):
    crontab = make_file(tmp_path / "crontab", 0o600)
    daily = tmp_path / "cron.daily"
    daily.mkdir()
    os.chmod(str(daily), 0o700)
    assert files.perm_04_cron(make_ctx(), (crontab, str(daily), str(tmp_path / "none"))).status == "pass"
    os.chmod(str(daily), 0o757)
    assert files.perm_04_cron(make_ctx(), (crontab, str(daily))).status == "fail"
