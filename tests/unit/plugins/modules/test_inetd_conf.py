# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the bastion.hardening.inetd_conf module, run through main()."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from ansible_collections.bastion.hardening.plugins.modules import inetd_conf
from module_harness import fail_module, run_module

FIXTURES = Path(__file__).parents[1] / "module_utils" / "fixtures"
OFF = "#<off># "
TALK_WRAPPED = "talk\tdgram\tudp\twait\tnobody.tty\t/usr/sbin/tcpd\t/usr/sbin/in.talkd\n"
OLD_MTIME_NS = 1_000_000_000 * 10**9


def run(args, check=False, diff=False):
    return run_module(inetd_conf.main, args, check=check, diff=diff)


def fail(args):
    return fail_module(inetd_conf.main, args)


@pytest.fixture
def inetd_conf_file(tmp_path):
    """A copy of the Debian 11 inetd.conf, mode 0640, with an old mtime."""
    path = tmp_path / "inetd.conf"
    shutil.copyfile(FIXTURES / "inetd" / "inetd.conf.debian11", path)
    path.chmod(0o640)
    os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return path


def expected_debian11_keep_talk_finger():
    lines = (FIXTURES / "inetd" / "inetd.conf.debian11").read_text().splitlines(True)
    for index in (22, 25, 26, 27, 29):  # telnet, shell, login, exec, ntalk
        lines[index] = OFF + lines[index]
    lines[28] = TALK_WRAPPED
    return "".join(lines)


KEEP = {"keep": ["talk", "finger"]}


def test_check_mode_writes_nothing_and_reports_the_diff(inetd_conf_file):
    before = inetd_conf_file.read_bytes()
    result = run(dict(KEEP, path=str(inetd_conf_file)), check=True, diff=True)
    assert inetd_conf_file.read_bytes() == before
    assert inetd_conf_file.stat().st_mtime_ns == OLD_MTIME_NS
    assert result["changed"] is True
    assert result["exists"] is True
    assert result["disabled"] == ["telnet", "shell", "login", "exec", "ntalk"]
    assert result["wrapped"] == ["talk"]
    assert result["enabled"] == ["talk", "finger"]
    assert result["backup_files"] == []
    assert result["diff"] == {
        "before": before.decode(),
        "after": expected_debian11_keep_talk_finger(),
        "before_header": str(inetd_conf_file),
        "after_header": str(inetd_conf_file),
    }
    assert os.listdir(inetd_conf_file.parent) == ["inetd.conf"]


def test_writes_expected_bytes_keeps_mode_and_is_idempotent(inetd_conf_file):
    result = run(dict(KEEP, path=str(inetd_conf_file)))
    assert result["changed"] is True
    assert inetd_conf_file.read_text() == expected_debian11_keep_talk_finger()
    assert stat.S_IMODE(inetd_conf_file.stat().st_mode) == 0o640
    assert "diff" not in result
    assert os.listdir(inetd_conf_file.parent) == ["inetd.conf"]
    services = {s["name"]: s for s in result["services"]}
    assert services["talk"] == {
        "name": "talk",
        "file": str(inetd_conf_file),
        "line": 29,
        "enabled": True,
        "socket_type": "dgram",
        "protocol": "udp",
        "user": "nobody.tty",
        "server": "/usr/sbin/tcpd",
        "args": ["/usr/sbin/in.talkd"],
        "internal": False,
        "wrapped": True,
        "action": "wrapped",
    }

    os.utime(inetd_conf_file, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    again = run(dict(KEEP, path=str(inetd_conf_file)), diff=True)
    assert again["changed"] is False
    assert (again["disabled"], again["wrapped"], again["enabled"]) == ([], [], ["talk", "finger"])
    assert inetd_conf_file.stat().st_mtime_ns == OLD_MTIME_NS
    assert again["diff"]["before"] == again["diff"]["after"] == expected_debian11_keep_talk_finger()


def test_backup(inetd_conf_file):
    before = inetd_conf_file.read_bytes()
    result = run(dict(KEEP, path=str(inetd_conf_file), backup=True))
    assert len(result["backup_files"]) == 1
    backup = Path(result["backup_files"][0])
    assert backup.parent == inetd_conf_file.parent
    assert backup.name.startswith("inetd.conf.")
    assert backup.read_bytes() == before
    assert inetd_conf_file.read_text() == expected_debian11_keep_talk_finger()


def test_no_backup_when_unchanged(tmp_path):
    path = tmp_path / "inetd.conf"
    path.write_text("# nothing enabled\n")
    result = run(dict(path=str(path), backup=True))
    assert (result["changed"], result["backup_files"]) == (False, [])
    assert os.listdir(tmp_path) == ["inetd.conf"]


def test_defaults_disable_everything(inetd_conf_file, monkeypatch):
    monkeypatch.setitem(inetd_conf.DEFAULT_PATHS, "inetd", str(inetd_conf_file))
    result = run({})
    lines = inetd_conf_file.read_text().splitlines()
    assert [line for line in lines if line and not line.startswith("#")] == []
    assert len([line for line in lines if line.startswith(OFF)]) == 7
    assert result["enabled"] == []


@pytest.mark.parametrize("fmt", ["inetd", "xinetd"])
def test_missing_path(tmp_path, fmt):
    result = run(dict(path=str(tmp_path / "nothing"), format=fmt), check=True, diff=True)
    assert result == {
        "changed": False,
        "exists": False,
        "services": [],
        "disabled": [],
        "wrapped": [],
        "enabled": [],
        "backup_files": [],
    }


def test_overlap_fails(inetd_conf_file):
    result = fail(dict(path=str(inetd_conf_file), keep=["talk", "finger"], disable=["talk"]))
    assert result["msg"] == "services both in keep and disable: talk"


def test_bad_name_fails(inetd_conf_file):
    result = fail(dict(path=str(inetd_conf_file), disable=["127.0.0.1:telnet"]))
    assert result["msg"].startswith("invalid service name in disable: '127.0.0.1:telnet' ")


def test_parse_error_fails_and_writes_nothing(tmp_path):
    path = tmp_path / "inetd.conf"
    shutil.copyfile(FIXTURES / "inetd" / "malformed-protocol", path)
    before = path.read_bytes()
    result = fail(dict(path=str(path)))
    assert result["msg"] == "cannot parse %s line 4: unknown protocol 'udb'" % path
    assert path.read_bytes() == before


def test_inetd_path_must_be_a_file(tmp_path):
    assert fail(dict(path=str(tmp_path)))["msg"] == ("%s is not a file (format inetd expects inetd.conf)" % tmp_path)


# ---------------------------------------------------------------- xinetd


@pytest.fixture
def xinetd_d(tmp_path):
    """A copy of Debian 12's xinetd.d with echo (both blocks) and time-udp enabled, a telnet
    file without disable line, and two enabled files that xinetd skips."""
    directory = tmp_path / "xinetd.d"
    shutil.copytree(FIXTURES / "xinetd" / "debian12" / "xinetd.d", directory)
    for name in ("echo", "time-udp"):
        path = directory / name
        path.write_text(path.read_text().replace("\tdisable\t\t= yes\n", "\tdisable\t\t= no\n"))
    telnet = "service telnet\n{\n\tsocket_type\t= stream\n\tserver\t\t= /usr/sbin/in.telnetd\n}\n"
    for name in ("telnet", "telnet.dpkg-old", "telnet~"):
        (directory / name).write_text(telnet)
    for path in directory.iterdir():
        path.chmod(0o600)
        os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return directory


def snapshot(directory):
    return {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in directory.iterdir()}


TELNET_DISABLED = (
    "service telnet\n{\n\tdisable\t\t= yes\n\tsocket_type\t= stream\n\tserver\t\t= /usr/sbin/in.telnetd\n}\n"
)


def test_xinetd_check_mode(xinetd_d):
    before = snapshot(xinetd_d)
    result = run(dict(path=str(xinetd_d), format="xinetd"), check=True, diff=True)
    assert snapshot(xinetd_d) == before
    assert result["changed"] is True
    assert result["disabled"] == ["echo", "telnet", "time"]
    assert result["enabled"] == []
    assert [d["before_header"] for d in result["diff"]] == [
        str(xinetd_d / name) for name in ("echo", "telnet", "time-udp")
    ]
    assert result["diff"][1] == {
        "before": before["telnet"][0].decode(),
        "after": TELNET_DISABLED,
        "before_header": str(xinetd_d / "telnet"),
        "after_header": str(xinetd_d / "telnet"),
    }


def test_xinetd_disables_everything(xinetd_d):
    stock = FIXTURES / "xinetd" / "debian12" / "xinetd.d"
    result = run(dict(path=str(xinetd_d), format="xinetd"), diff=True)
    assert result["changed"] is True
    for name in ("echo", "time-udp"):
        assert (xinetd_d / name).read_bytes() == (stock / name).read_bytes()
        assert stat.S_IMODE((xinetd_d / name).stat().st_mode) == 0o600
    assert (xinetd_d / "telnet").read_text() == TELNET_DISABLED
    for name in ("telnet.dpkg-old", "telnet~"):
        assert "disable" not in (xinetd_d / name).read_text()
        assert (xinetd_d / name).stat().st_mtime_ns == OLD_MTIME_NS
    assert (xinetd_d / "chargen").stat().st_mtime_ns == OLD_MTIME_NS
    files = {Path(s["file"]).name for s in result["services"]}
    assert files == {p.name for p in stock.iterdir()} | {"telnet"}
    assert all(s["wrapped"] is None and not s["enabled"] for s in result["services"])
    assert [(s["id"], s["action"]) for s in result["services"] if s["action"] != "unchanged"] == [
        ("echo-stream", "disabled"),
        ("echo-dgram", "disabled"),
        (None, "disabled"),
        ("time-dgram", "disabled"),
    ]

    again = run(dict(path=str(xinetd_d), format="xinetd"), diff=True)
    assert (again["changed"], again["diff"], again["disabled"]) == (False, [], [])


def test_xinetd_keep_and_backup(xinetd_d):
    result = run(dict(path=str(xinetd_d), format="xinetd", keep=["echo"], backup=True))
    assert result["enabled"] == ["echo"]
    assert result["disabled"] == ["telnet", "time"]
    assert "\tdisable\t\t= no\n" in (xinetd_d / "echo").read_text()
    assert sorted(Path(b).name.split(".")[0] for b in result["backup_files"]) == ["telnet", "time-udp"]


def test_xinetd_parse_error_writes_nothing(xinetd_d):
    shutil.copyfile(FIXTURES / "xinetd" / "malformed-no-equals", xinetd_d / "zz-broken")
    before = snapshot(xinetd_d)
    result = fail(dict(path=str(xinetd_d), format="xinetd"))
    assert result["msg"] == "cannot parse %s line 4: attribute line without '=': 'socket_type\\tstream'" % (
        xinetd_d / "zz-broken"
    )
    assert snapshot(xinetd_d) == before


def test_xinetd_path_must_be_a_directory(inetd_conf_file):
    assert fail(dict(path=str(inetd_conf_file), format="xinetd"))["msg"] == (
        "%s is not a directory (format xinetd expects xinetd.d)" % inetd_conf_file
    )
