# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the bastion.hardening.file_modes module, run through main()."""

from __future__ import annotations

import grp
import os
import pwd

import pytest
from ansible_collections.bastion.hardening.plugins.modules import file_modes
from module_harness import fail_module, run_module

ROOT = pwd.getpwuid(0).pw_name
ROOT_GROUP = grp.getgrgid(0).gr_name


@pytest.fixture()
def files(tmp_path):
    made = {}
    for name, mode in (("shadow", 0o644), ("strict", 0o600), ("suid", 0o4755), ("drop", 0o777)):
        path = tmp_path / name
        if name == "drop":
            path.mkdir()
        else:
            path.write_text("x")
        os.chmod(str(path), mode)
        made[name] = str(path)
    os.symlink(made["shadow"], str(tmp_path / "link"))
    made["link"] = str(tmp_path / "link")
    made["missing"] = str(tmp_path / "missing")
    return made


def mode(path):
    return os.lstat(path).st_mode & 0o7777


def run(args, check=False, diff=False):
    return run_module(file_modes.main, args, check=check, diff=diff)


def test_check_mode_reports_before_and_after_and_changes_nothing(files):
    paths = [files[n] for n in ("shadow", "strict", "link", "missing")]
    result = run({"paths": paths, "max_mode": "0640", "owner": ROOT, "group": ROOT_GROUP}, check=True, diff=True)
    assert result["changed"] is True
    assert [(c["path"], c["before"][:4], c["after"][:4]) for c in result["changes"]] == [
        (files["shadow"], "0644", "0640")
    ]
    assert result["missing"] == [files["missing"]]
    assert result["symlinks"] == [files["link"]]
    assert result["diff"]["before"] == "%s 0644 %s:%s\n" % (files["shadow"], ROOT, ROOT_GROUP)
    assert result["diff"]["after"] == "%s 0640 %s:%s\n" % (files["shadow"], ROOT, ROOT_GROUP)
    assert mode(files["shadow"]) == 0o644


def test_apply_then_nothing_left(files):
    paths = [files[n] for n in ("shadow", "strict", "link")]
    assert run({"paths": paths, "max_mode": "0640"})["changed"] is True
    assert (mode(files["shadow"]), mode(files["strict"])) == (0o640, 0o600)  # strict: already within, kept
    assert mode(files["link"]) == 0o777  # the symlink itself, never followed
    again = run({"paths": paths, "max_mode": "0640"})
    assert again["changed"] is False and again["changes"] == []


def test_suid_removed_and_sticky_added(files):
    run({"paths": [files["suid"]], "max_mode": "1777"})
    run({"paths": [files["drop"]], "add_mode": "1000"})
    assert (mode(files["suid"]), mode(files["drop"])) == (0o755, 0o1777)


def test_chown_before_chmod_keeps_the_wanted_suid(files):
    os.chown(files["suid"], 4242, 4242)
    os.chmod(files["suid"], 0o4755)  # the chown just cleared it
    result = run({"paths": [files["suid"]], "owner": ROOT, "group": ROOT_GROUP})
    st = os.stat(files["suid"])
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (0, 0, 0o4755)
    assert result["changes"][0]["line"] == "%s 4755 4242:4242 -> 4755 %s:%s" % (files["suid"], ROOT, ROOT_GROUP)


@pytest.mark.parametrize(
    "args, message",
    [
        ({"paths": ["etc/shadow"]}, "paths: 'etc/shadow' is not an absolute path"),
        ({"paths": ["/etc/hostname"], "max_mode": "0999"}, "max_mode: '0999' is not an octal mode"),
        ({"paths": ["/etc/hostname"], "add_mode": "17777"}, "add_mode: '17777' is not an octal mode"),
        (
            {"paths": ["/etc/hostname"], "owner": "no-such-user-bastion"},
            "owner: no user 'no-such-user-bastion' on this host",
        ),
        (
            {"paths": ["/etc/hostname"], "group": "no-such-group-bastion"},
            "group: no group 'no-such-group-bastion' on this host",
        ),
    ],
)
def test_bad_options(args, message):
    assert fail_module(file_modes.main, args)["msg"] == message
