# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the bastion.hardening.file_walk module (the audit's walk, as data)."""

from __future__ import annotations

import os

import pytest
from ansible_collections.bastion.hardening.plugins.modules import file_walk
from module_harness import fail_module, run_module

SCAN = file_walk.scan


@pytest.fixture()
def tree(tmp_path):
    """A tree with one of each finding, a symlinked bin dir (usrmerge) and an NFS mount point."""
    root = tmp_path / "root"
    for d in ("usr/bin", "srv/drop", "srv/tmp", "nfs", "data"):
        (root / d).mkdir(parents=True)
    os.symlink("usr/bin", str(root / "bin"))
    for name, mode in (
        ("usr/bin/su", 0o4755),
        ("usr/bin/at", 0o6755),
        ("usr/bin/evil", 0o4711),
        ("data/open", 0o666),
        ("nfs/open", 0o666),
        ("data/orphan", 0o644),
    ):
        (root / name).write_text("x")
        os.chmod(str(root / name), mode)
    os.chmod(str(root / "srv/drop"), 0o777)
    os.chmod(str(root / "srv/tmp"), 0o1777)
    os.chown(str(root / "data/orphan"), 4242, 0)
    os.symlink("orphan", str(root / "data/orphan-link"))
    os.lchown(str(root / "data/orphan-link"), 0, 4343)
    proc = tmp_path / "proc" / "self"
    proc.mkdir(parents=True)
    (proc / "mountinfo").write_text(
        "22 1 0:21 / / rw - ext4 /dev/sda1 rw\n50 22 0:40 / %s rw - nfs4 srv:/export rw,vers=4.2\n" % (root / "nfs")
    )
    (tmp_path / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (tmp_path / "group").write_text("root:x:0:\n")
    return tmp_path


def scan(tree, **options):
    args = dict(
        suid_allowlist=[str(tree / "root/usr/bin/su")],
        suid_remove=[str(tree / "root/bin/at")],
        walk_roots=[str(tree / "root")],
        walk_time_budget=60.0,
        skip_fstypes=["nfs*"],
    )
    args.update(options)
    return SCAN(args, proc=str(tree / "proc"), passwd=str(tree / "passwd"), group=str(tree / "group"))


def test_scan_lists_each_finding_with_the_fixed_mode(tree):
    root = tree / "root"
    result = scan(tree)
    assert result["special"] == [
        {
            "path": str(root / "usr/bin/at"),
            "mode": "6755",
            "uid": 0,
            "gid": 0,
            "allowed": False,
            "remove": True,  # listed through the /bin symlink
            "mode_after": "0755",
        },
        {
            "path": str(root / "usr/bin/evil"),
            "mode": "4711",
            "uid": 0,
            "gid": 0,
            "allowed": False,
            "remove": False,
            "mode_after": "0711",
        },
        {
            "path": str(root / "usr/bin/su"),
            "mode": "4755",
            "uid": 0,
            "gid": 0,
            "allowed": True,
            "remove": False,
            "mode_after": "0755",
        },
    ]
    # nfs/open is world-writable too, on a network file system: never entered.
    assert result["world_writable_files"] == [{"path": str(root / "data/open"), "mode": "0666", "mode_after": "0664"}]
    assert result["world_writable_dirs"] == [{"path": str(root / "srv/drop"), "mode": "0777", "mode_after": "1777"}]
    assert result["unowned"] == [
        {
            "path": str(root / "data/orphan"),
            "kind": "file",
            "uid": 4242,
            "gid": 0,
            "owner_known": False,
            "group_known": True,
        },
        {
            "path": str(root / "data/orphan-link"),
            "kind": "link",
            "uid": 0,
            "gid": 4343,
            "owner_known": True,
            "group_known": False,
        },
    ]
    assert result["walk"]["skipped_mounts"] == [str(root / "nfs")]
    assert result["walk"]["complete"] is True


def test_module_changes_nothing_in_check_mode(tree, monkeypatch):
    root = tree / "root"
    monkeypatch.setattr(file_walk, "scan", lambda options: scan(tree, suid_remove=options["suid_remove"]))
    result = run_module(file_walk.main, {"suid_remove": [str(root / "usr/bin/evil")]}, check=True)
    assert result["changed"] is False
    assert [e["path"] for e in result["special"] if e["remove"]] == [str(root / "usr/bin/evil")]
    assert os.stat(str(root / "usr/bin/evil")).st_mode & 0o7777 == 0o4711


def test_module_defaults_are_the_audit_defaults(monkeypatch):
    seen = {}
    monkeypatch.setattr(file_walk, "scan", lambda options: seen.update(options) or {})
    run_module(file_walk.main, {})
    assert "/usr/bin/passwd" in seen["suid_allowlist"]
    assert "nfs4" in seen["skip_fstypes"] and "proc" in seen["skip_fstypes"]
    assert seen["walk_roots"] == ["/"]


@pytest.mark.parametrize(
    "args, message",
    [
        ({"suid_remove": ["usr/bin/at"]}, "suid_remove: 'usr/bin/at' is not an absolute path"),
        ({"suid_allowlist": ["su"]}, "suid_allowlist: 'su' is not an absolute path"),
        ({"walk_roots": ["srv"]}, "walk_roots: 'srv' is not an absolute path"),
        ({"walk_time_budget": -1}, "walk_time_budget: must not be negative, got -1.0"),
    ],
)
def test_bad_options(args, message):
    assert fail_module(file_walk.main, args)["msg"] == message
