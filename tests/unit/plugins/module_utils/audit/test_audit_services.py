# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Superserver services (INETD-01..06) and TCP wrappers (TCPW), on Debian's files."""

from __future__ import annotations

import os
import shutil

from ansible_collections.bastion.hardening.plugins.module_utils.audit import services
from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import Check, run_checks
from audit_helpers import AUDIT, FIXTURES, make_ctx

INETD12 = str(FIXTURES / "inetd" / "inetd.conf.debian12")
XINETD_D = FIXTURES / "xinetd" / "debian12" / "xinetd.d"
SERVICES = str(AUDIT / "services.debian12")
TCPW = AUDIT / "tcpw"


def test_inetd_01_debian12():
    res = services.inetd_01_services(make_ctx(), INETD12, SERVICES)
    assert res.status == "fail"
    assert res.evidence == [
        "%s line 28: shell/tcp" % INETD12,
        "%s line 29: login/tcp" % INETD12,
        "%s line 30: exec/tcp" % INETD12,
        "%s line 31: talk/udp" % INETD12,
        "%s line 32: ntalk/udp" % INETD12,
        "%s line 37: finger/tcp" % INETD12,
    ]


def test_inetd_01_allowed_ports_are_kept():
    ctx = make_ctx({"allowed_services": ["tcp/514", "tcp/513", "tcp/512", "udp/517", "udp/518", "tcp/79"]})
    res = services.inetd_01_services(ctx, INETD12, SERVICES)
    assert (res.status, res.evidence) == ("pass", ["%s: 6 enabled services, all in allowed_services" % INETD12])


def test_inetd_01_missing_file():
    res = services.inetd_01_services(make_ctx(), "/nonexistent/inetd.conf", SERVICES)
    assert (res.status, res.evidence) == ("not_applicable", ["/nonexistent/inetd.conf does not exist"])


def test_inetd_garbage_is_error_not_crash():
    path = str(FIXTURES / "inetd" / "malformed-fields")
    checks = [
        Check(
            "INETD-01", "t", "internet services", "high", lambda ctx: services.inetd_01_services(ctx, path, SERVICES)
        ),
        Check("INETD-04", "t", "internet services", "high", lambda ctx: services.inetd_04_tcpd(ctx, path)),
    ]
    reports = run_checks(checks, make_ctx())
    assert [r["status"] for r in reports] == ["error", "error"]
    assert reports[0]["evidence"][0].startswith("check failed: InetdParseError: cannot parse %s line " % path)


def test_inetd_04_debian12():
    res = services.inetd_04_tcpd(make_ctx(), INETD12)
    assert res.status == "fail"
    assert res.evidence == [
        "%s line 31: talk runs /usr/sbin/in.talkd" % INETD12,
        "%s line 32: ntalk runs /usr/sbin/in.ntalkd" % INETD12,
    ]


def test_inetd_02_xinetd_stock_is_all_disabled():
    res = services.inetd_02_xinetd(make_ctx(), str(XINETD_D), SERVICES)
    assert (res.status, res.evidence) == ("pass", ["%s: 0 enabled services, all in allowed_services" % XINETD_D])


def test_inetd_02_xinetd_enabled_service(tmp_path):
    directory = tmp_path / "xinetd.d"
    shutil.copytree(str(XINETD_D), str(directory))
    echo = directory / "echo"
    echo.write_text(echo.read_text().replace("disable\t\t= yes", "disable\t\t= no", 1))
    (directory / "echo.dpkg-old").write_text("garbage {")
    res = services.inetd_02_xinetd(make_ctx(), str(directory), SERVICES)
    assert (res.status, res.evidence) == ("fail", ["%s line 5: echo/tcp" % echo])


def test_inetd_02_xinetd_malformed(tmp_path):
    directory = tmp_path / "xinetd.d"
    directory.mkdir()
    shutil.copy(str(FIXTURES / "xinetd" / "malformed-missing-brace"), str(directory / "bad"))
    report = run_checks(
        [
            Check(
                "INETD-02", "t", "internet services", "high", lambda ctx: services.inetd_02_xinetd(ctx, str(directory))
            )
        ],
        make_ctx(),
    )[0]
    assert report["status"] == "error"
    assert "cannot parse %s" % (directory / "bad") in report["evidence"][0]


def units(tmp_path):
    lib = tmp_path / "lib"
    etc = tmp_path / "etc"
    (etc / "sockets.target.wants").mkdir(parents=True)
    lib.mkdir()
    for name in ("telnet.socket", "finger@.socket", "echo-stream.socket", "ssh.socket"):
        (lib / name).write_text("[Socket]\n")
    return lib, etc


def test_inetd_03_enabled_socket_unit(tmp_path):
    lib, etc = units(tmp_path)
    os.symlink(str(lib / "telnet.socket"), str(etc / "sockets.target.wants" / "telnet.socket"))
    os.symlink(str(lib / "ssh.socket"), str(etc / "sockets.target.wants" / "ssh.socket"))
    os.symlink("/dev/null", str(etc / "finger@.socket"))
    res = services.inetd_03_socket_units(make_ctx(), (str(etc), str(lib)), str(etc))
    assert res.status == "fail"
    assert res.evidence == ["echo-stream.socket: disabled", "finger@.socket: masked", "telnet.socket: enabled"]


def test_inetd_03_none_enabled(tmp_path):
    lib, etc = units(tmp_path)
    res = services.inetd_03_socket_units(make_ctx(), (str(etc), str(lib)), str(etc))
    assert res.status == "pass"
    assert services.inetd_03_socket_units(make_ctx(), ("/nonexistent",), "/nonexistent").status == "not_applicable"


def test_inetd_05_leftover_packages():
    ctx = make_ctx(packages={"telnetd": "1", "talkd": "1", "fingerd": "1", "openbsd-inetd": "1"})
    res = services.inetd_05_packages(ctx, INETD12, "/nonexistent")
    assert (res.status, res.evidence) == ("warn", ["telnetd installed, its services (telnet) are not enabled"])
    assert services.inetd_05_packages(make_ctx(packages=None), INETD12).status == "not_applicable"


def fake_proc(tmp_path, processes):
    for pid, comm in processes.items():
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "comm").write_text(comm + "\n")
    return str(tmp_path)


def test_inetd_06_superserver_idle(tmp_path):
    ctx = make_ctx(packages={"xinetd": "1"}, proc=fake_proc(tmp_path, {1: "systemd", 50: "xinetd"}))
    res = services.inetd_06_superserver(ctx, "/nonexistent", str(XINETD_D))
    assert (res.status, res.evidence) == ("fail", ["running: xinetd (pid 50)", "enabled services: none"])


def test_inetd_06_superserver_serving(tmp_path):
    ctx = make_ctx(packages={"openbsd-inetd": "1"}, proc=fake_proc(tmp_path, {1: "systemd", 30: "inetd"}))
    res = services.inetd_06_superserver(ctx, INETD12, "/nonexistent")
    assert res.status == "pass"
    assert res.evidence[1] == "enabled services: exec, finger, login, ntalk, shell, talk"


def test_inetd_06_ignores_other_pid_namespaces(tmp_path):
    # A container host: its /proc lists the containers' inetd too, in another PID namespace.
    proc = fake_proc(tmp_path, {1: "systemd", 30: "inetd", 31: "xinetd"})
    for pid, ns in (("self", "pid:[4026531836]"), ("1", "pid:[4026531836]"), ("30", "pid:[4026532999]")):
        (tmp_path / pid / "ns").mkdir(parents=True)
        (tmp_path / pid / "ns" / "pid").symlink_to(ns)
    # pid 31 has no readable namespace: kept, as the conservative answer.
    ctx = make_ctx(packages={"xinetd": "1"}, proc=proc)
    res = services.inetd_06_superserver(ctx, "/nonexistent", str(XINETD_D))
    assert (res.status, res.evidence) == ("fail", ["running: xinetd (pid 31)", "enabled services: none"])


def test_inetd_06_not_installed(tmp_path):
    ctx = make_ctx(packages={}, proc=fake_proc(tmp_path, {1: "systemd"}))
    assert services.inetd_06_superserver(ctx).status == "not_applicable"


def test_tcpw_01_debian_stock_fails():
    path = str(TCPW / "hosts.deny.debian12")
    assert services.tcpw_01_default_deny(make_ctx(), path).evidence == ["%s has no 'ALL: ALL' rule" % path]


def test_tcpw_01_default_deny(tmp_path):
    path = tmp_path / "hosts.deny"
    path.write_text("# comment\nin.telnetd : \\\n  ALL\nALL: ALL\n")
    res = services.tcpw_01_default_deny(make_ctx(), str(path))
    assert (res.status, res.evidence) == ("pass", ["%s line 4: ALL: ALL" % path])
    path.write_text("ALL EXCEPT sshd: ALL\n")
    assert services.tcpw_01_default_deny(make_ctx(), str(path)).status == "fail"
    assert services.tcpw_01_default_deny(make_ctx(), str(tmp_path / "none")).status == "fail"


def test_tcpw_02_sendmail_grants_all():
    path = str(TCPW / "hosts.allow.debian13-sendmail")
    res = services.tcpw_02_allow(make_ctx(), path)
    assert (res.status, res.evidence) == ("fail", ["%s line 1: sendmail: all" % path])


def test_tcpw_02_stock_and_scopes(tmp_path):
    path = str(TCPW / "hosts.allow.debian12")
    assert services.tcpw_02_allow(make_ctx(), path).evidence == ["%s grants nothing" % path]
    allow = tmp_path / "hosts.allow"
    ctx = make_ctx({"trusted_networks": ["127.0.0.0/8", "::1/128", "10.20.0.0/16"]})
    allow.write_text("sshd: 10.20.\nin.fingerd: 127.0.0.1 [::1]\nALL: 192.0.2.0/24 : DENY\n")
    assert services.tcpw_02_allow(ctx, str(allow)).status == "pass"
    allow.write_text("sshd: 10.20. .example.org\n")
    assert services.tcpw_02_allow(ctx, str(allow)).status == "warn"
    allow.write_text("sshd: .example.org\nsshd: 192.0.2.0/255.255.255.0\n")
    assert services.tcpw_02_allow(ctx, str(allow)).status == "fail"


def test_tcpw_02_malformed(tmp_path):
    allow = tmp_path / "hosts.allow"
    allow.write_text("sshd 10.0.0.1\n")
    report = run_checks(
        [Check("TCPW-02", "t", "internet access", "medium", lambda ctx: services.tcpw_02_allow(ctx, str(allow)))],
        make_ctx(),
    )[0]
    assert report["status"] == "error"
    assert report["evidence"] == [
        "check failed: ValueError: cannot parse %s line 1: expected 'daemons : clients', found 'sshd 10.0.0.1'" % allow
    ]
