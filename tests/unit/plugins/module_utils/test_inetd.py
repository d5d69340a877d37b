# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the inetd.conf / xinetd parsers and policy, fed with Debian files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ansible_collections.bastion.hardening.plugins.module_utils.inetd import (
    InetdParseError,
    Policy,
    PolicyError,
    parse_inetd,
    plan_inetd,
    plan_xinetd_file,
    summarize,
    xinetd_skips,
)

FIXTURES = Path(__file__).parent / "fixtures"
INETD = FIXTURES / "inetd"
XINETD_D = FIXTURES / "xinetd" / "debian12" / "xinetd.d"
OFF = "#<off># "
TCPD = "/usr/sbin/tcpd"

TALK_WRAPPED = "talk\tdgram\tudp\twait\tnobody.tty\t/usr/sbin/tcpd\t/usr/sbin/in.talkd\n"
FINGER = "finger\t\tstream\ttcp\tnowait\tnobody\t/usr/sbin/tcpd\t/usr/sbin/in.fingerd\n"

# name, line, socket_type, protocol, user, server, args, wrapped
DEBIAN11_ENABLED = [
    ("telnet", 23, "stream", "tcp", "root", TCPD, ["/usr/sbin/in.telnetd"], True),
    ("shell", 26, "stream", "tcp", "root", TCPD, ["/usr/sbin/in.rshd"], True),
    ("login", 27, "stream", "tcp", "root", TCPD, ["/usr/sbin/in.rlogind"], True),
    ("exec", 28, "stream", "tcp", "root", TCPD, ["/usr/sbin/in.rexecd"], True),
    ("talk", 29, "dgram", "udp", "nobody.tty", "/usr/sbin/in.talkd", ["in.talkd"], False),
    ("ntalk", 30, "dgram", "udp", "nobody.tty", "/usr/sbin/in.ntalkd", ["in.ntalkd"], False),
    ("finger", 35, "stream", "tcp", "nobody", TCPD, ["/usr/sbin/in.fingerd"], True),
]
DEBIAN12_ENABLED = [
    ("shell", 28, "stream", "tcp", "root", TCPD, ["/usr/sbin/in.rshd"], True),
    ("login", 29, "stream", "tcp", "root", TCPD, ["/usr/sbin/in.rlogind"], True),
    ("exec", 30, "stream", "tcp", "root", TCPD, ["/usr/sbin/in.rexecd"], True),
    ("talk", 31, "dgram", "udp", "nobody.tty", "/usr/sbin/in.talkd", ["in.talkd"], False),
    ("ntalk", 32, "dgram", "udp", "nobody.tty", "/usr/sbin/in.ntalkd", ["in.ntalkd"], False),
    ("finger", 37, "stream", "tcp", "nobody", TCPD, ["/usr/sbin/in.fingerd"], True),
]
DEBIAN13_ENABLED = [
    ("talk", 28, "dgram", "udp", "nobody.tty", "/usr/sbin/in.talkd", ["in.talkd"], False),
    ("ntalk", 29, "dgram", "udp", "nobody.tty", "/usr/sbin/in.ntalkd", ["in.ntalkd"], False),
    ("finger", 34, "stream", "tcp", "nobody", TCPD, ["/usr/sbin/in.fingerd"], True),
]
ENABLED = {"debian11": DEBIAN11_ENABLED, "debian12": DEBIAN12_ENABLED, "debian13": DEBIAN13_ENABLED}
VERSIONS = sorted(ENABLED)


def read(path):
    return Path(path).read_text(encoding="utf-8")


def inetd_fixture(version):
    path = str(INETD / ("inetd.conf." + version))
    return path, read(path)


def as_tuple(service):
    return (
        service["name"],
        service["line"],
        service["socket_type"],
        service["protocol"],
        service["user"],
        service["server"],
        service["args"],
        service["wrapped"],
    )


def leave_alone():
    return Policy(disable_unlisted=False, wrap=False)


# ---------------------------------------------------------------- inetd.conf: parsing


@pytest.mark.parametrize("version", VERSIONS)
def test_parse_debian_enabled_services(version):
    path, text = inetd_fixture(version)
    new, services = plan_inetd(text, path, leave_alone())
    assert new == text
    enabled = [s for s in services if s["enabled"]]
    assert [as_tuple(s) for s in enabled] == ENABLED[version]
    assert all(s["action"] == "kept" and s["file"] == path and not s["internal"] for s in enabled)


@pytest.mark.parametrize("version", VERSIONS)
def test_parse_debian_commented_internal_services_are_no_entries(version):
    path, text = inetd_fixture(version)
    entries = [entry for _lineno, _line, entry, _enabled in parse_inetd(text, path) if entry]
    names = {entry.name for entry in entries}
    assert not names & {"echo", "discard", "daytime", "time", "chargen"}


def test_parse_debian11_has_no_disabled_entries():
    path, text = inetd_fixture("debian11")
    services = plan_inetd(text, path, leave_alone())[1]
    assert [s for s in services if not s["enabled"]] == []


@pytest.mark.parametrize("version", ["debian12", "debian13"])
def test_parse_debian_off_telnet(version):
    path, text = inetd_fixture(version)
    services = plan_inetd(text, path, leave_alone())[1]
    disabled = [s for s in services if not s["enabled"]]
    assert disabled == [
        {
            "name": "telnet",
            "file": path,
            "line": 25,
            "enabled": False,
            "socket_type": "stream",
            "protocol": "tcp",
            "user": "root",
            "server": TCPD,
            "args": ["/usr/sbin/telnetd"],
            "internal": False,
            "wrapped": True,
            "action": "unchanged",
        }
    ]


# ---------------------------------------------------------------- inetd.conf: policy


@pytest.mark.parametrize("version", VERSIONS)
def test_default_policy_disables_every_enabled_entry(version):
    path, text = inetd_fixture(version)
    new, services = plan_inetd(text, path, Policy())
    old_lines = text.splitlines(True)
    new_lines = new.splitlines(True)
    off_linenos = {line for _n, line, *_rest in ENABLED[version]}
    assert len(new_lines) == len(old_lines)
    for lineno, (old, line) in enumerate(zip(old_lines, new_lines), 1):
        assert line == (OFF + old if lineno in off_linenos else old), lineno
    names = [entry[0] for entry in ENABLED[version]]
    assert summarize(services) == {"disabled": names, "wrapped": [], "enabled": []}
    assert [s["action"] for s in services if s["line"] in off_linenos] == ["disabled"] * len(names)


def test_default_policy_exact_telnet_line_debian11():
    path, text = inetd_fixture("debian11")
    new = plan_inetd(text, path, Policy())[0]
    assert new.splitlines(True)[22] == (
        "#<off># telnet\t\tstream\ttcp\tnowait\troot\t/usr/sbin/tcpd\t/usr/sbin/in.telnetd\n"
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_keep_finger_and_talk_wraps_talk(version):
    path, text = inetd_fixture(version)
    new, services = plan_inetd(text, path, Policy(keep=["finger", "talk"]))
    lines = new.splitlines(True)
    by_name = {entry[0]: entry[1] for entry in ENABLED[version]}
    assert lines[by_name["talk"] - 1] == TALK_WRAPPED
    assert lines[by_name["finger"] - 1] == FINGER
    old_lines = text.splitlines(True)
    for name, lineno in by_name.items():
        if name not in ("talk", "finger"):
            assert lines[lineno - 1] == OFF + old_lines[lineno - 1]
    result = summarize(services)
    assert result["wrapped"] == ["talk"]
    assert result["enabled"] == ["talk", "finger"]
    assert result["disabled"] == [n for n in by_name if n not in ("talk", "finger")]
    talk = [s for s in services if s["name"] == "talk"][0]
    assert talk["server"] == TCPD
    assert talk["args"] == ["/usr/sbin/in.talkd"]
    assert talk["wrapped"] is True
    assert talk["action"] == "wrapped"
    assert [s["action"] for s in services if s["name"] == "finger"] == ["kept"]


def test_no_wrap_keeps_the_line():
    path, text = inetd_fixture("debian13")
    new, services = plan_inetd(text, path, Policy(keep=["talk", "ntalk"], no_wrap=["ntalk"]))
    lines = new.splitlines(True)
    assert lines[27] == TALK_WRAPPED
    assert lines[28] == "ntalk\t\tdgram\tudp\twait\tnobody.tty\t/usr/sbin/in.ntalkd\tin.ntalkd\n"
    ntalk = [s for s in services if s["name"] == "ntalk"][0]
    assert (ntalk["action"], ntalk["wrapped"], ntalk["enabled"]) == ("kept", False, True)


def test_wrap_false_wraps_nothing():
    path, text = inetd_fixture("debian13")
    new, services = plan_inetd(text, path, Policy(keep=["talk"], wrap=False))
    assert new.splitlines(True)[27] == "talk\t\tdgram\tudp\twait\tnobody.tty\t/usr/sbin/in.talkd\tin.talkd\n"
    assert summarize(services)["wrapped"] == []


def test_custom_tcpd_path_and_existing_tcpd_is_left_alone():
    path, text = inetd_fixture("debian13")
    new = plan_inetd(text, path, Policy(keep=["talk", "finger"], tcpd_path="/usr/local/sbin/tcpd"))[0]
    lines = new.splitlines(True)
    assert lines[27] == "talk\tdgram\tudp\twait\tnobody.tty\t/usr/local/sbin/tcpd\t/usr/sbin/in.talkd\n"
    assert lines[33] == FINGER


def test_disable_unlisted_false_disables_only_the_listed_and_wraps_the_rest():
    path, text = inetd_fixture("debian11")
    new, services = plan_inetd(text, path, Policy(disable=["telnet", "ntalk"], disable_unlisted=False))
    lines = new.splitlines(True)
    old_lines = text.splitlines(True)
    assert lines[22] == OFF + old_lines[22]
    assert lines[29] == OFF + old_lines[29]
    assert lines[28] == TALK_WRAPPED
    assert summarize(services) == {
        "disabled": ["telnet", "ntalk"],
        "wrapped": ["talk"],
        "enabled": ["shell", "login", "exec", "talk", "finger"],
    }


SPECIAL = (
    "# special entries\n"
    "127.0.0.1:\n"
    "echo\tstream\ttcp\tnowait\troot\tinternal\n"
    "rstatd/1-3\tdgram\trpc/udp\twait\troot\t/usr/sbin/rpc.rstatd\trpc.rstatd\n"
    "127.0.0.1:telnet\tstream\ttcp\tnowait\troot\t/usr/sbin/in.telnetd\tin.telnetd -h\n"
    "[::1]:ftp stream tcp6 nowait.100.10 root:ftp /usr/sbin/ftpd ftpd\n"
    "*:\n"
    "daytime\tstream\ttcp\tnowait\troot\tinternal"
)


def test_rpc_and_internal_never_wrapped_address_prefix_matched():
    new, services = plan_inetd(SPECIAL, "special", Policy(keep=["echo", "rstatd", "telnet", "ftp", "daytime"]))
    assert new.split("\n") == [
        "# special entries",
        "127.0.0.1:",
        "echo\tstream\ttcp\tnowait\troot\tinternal",
        "rstatd/1-3\tdgram\trpc/udp\twait\troot\t/usr/sbin/rpc.rstatd\trpc.rstatd",
        "127.0.0.1:telnet\tstream\ttcp\tnowait\troot\t/usr/sbin/tcpd\t/usr/sbin/in.telnetd\t-h",
        "[::1]:ftp\tstream\ttcp6\tnowait.100.10\troot:ftp\t/usr/sbin/tcpd\t/usr/sbin/ftpd",
        "*:",
        "daytime\tstream\ttcp\tnowait\troot\tinternal",
    ]
    assert [(s["name"], s["line"], s["action"], s["internal"], s["wrapped"]) for s in services] == [
        ("echo", 3, "kept", True, False),
        ("rstatd", 4, "kept", False, False),
        ("telnet", 5, "wrapped", False, True),
        ("ftp", 6, "wrapped", False, True),
        ("daytime", 8, "kept", True, False),
    ]


def test_address_prefixed_names_disabled_and_no_final_newline():
    new, services = plan_inetd(
        SPECIAL, "special", Policy(disable=["telnet", "ftp", "daytime"], disable_unlisted=False, wrap=False)
    )
    old = SPECIAL.split("\n")
    assert new.split("\n") == old[:4] + [OFF + old[4], OFF + old[5], old[6], OFF + old[7]]
    assert summarize(services)["disabled"] == ["telnet", "ftp", "daytime"]


def test_default_policy_keeps_address_lines():
    new = plan_inetd(SPECIAL, "special", Policy())[0]
    assert [line for line in new.split("\n") if not line.startswith(OFF)] == ["# special entries", "127.0.0.1:", "*:"]


def test_crlf_line_ending_is_kept_when_wrapping():
    text = "talk\tdgram\tudp\twait\tnobody.tty\t/usr/sbin/in.talkd\tin.talkd\r\n"
    assert plan_inetd(text, "crlf", Policy(keep=["talk"]))[0] == TALK_WRAPPED[:-1] + "\r\n"


def test_commented_and_unparseable_off_lines_are_kept_and_not_reported():
    text = "#<off># not an entry\n#telnet\tstream\ttcp\tnowait\troot\t/usr/sbin/tcpd\tin.telnetd\n"
    assert plan_inetd(text, "c", Policy()) == (text, [])


def test_never_enables_an_off_entry():
    path, text = inetd_fixture("debian12")
    new, services = plan_inetd(text, path, Policy(keep=["telnet"]))
    assert new.splitlines(True)[24] == text.splitlines(True)[24]
    assert [s["action"] for s in services if s["name"] == "telnet"] == ["unchanged"]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "policy",
    [
        dict(),
        dict(keep=["finger", "talk"]),
        dict(keep=["talk", "ntalk"], no_wrap=["ntalk"]),
        dict(disable=["telnet"], disable_unlisted=False),
    ],
)
def test_second_pass_changes_nothing(version, policy):
    path, text = inetd_fixture(version)
    once = plan_inetd(text, path, Policy(**policy))[0]
    twice, services = plan_inetd(once, path, Policy(**policy))
    assert twice == once
    assert {s["action"] for s in services} <= {"kept", "unchanged"}


def test_second_pass_special_entries():
    policy = Policy(keep=["echo", "rstatd", "telnet", "ftp"])
    once = plan_inetd(SPECIAL, "special", policy)[0]
    assert plan_inetd(once, "special", policy)[0] == once


# ---------------------------------------------------------------- options


def test_keep_and_disable_overlap():
    with pytest.raises(PolicyError) as exc:
        Policy(keep=["talk", "finger", "ftp"], disable=["telnet", "talk", "finger"])
    assert str(exc.value) == "services both in keep and disable: finger, talk"


@pytest.mark.parametrize("option", ["keep", "disable", "no_wrap"])
@pytest.mark.parametrize("name", ["in talk", "talk#", "rstatd/1", "127.0.0.1:telnet", "tel\nnet", "tab\t", ""])
def test_bad_names(option, name):
    with pytest.raises(PolicyError) as exc:
        Policy(**{option: ["finger", name]})
    assert str(exc.value).startswith("invalid service name in %s: %r " % (option, name))


# ---------------------------------------------------------------- inetd.conf: errors


@pytest.mark.parametrize(
    "fixture, lineno, why",
    [
        ("malformed-fields", 3, "expected at least 6 fields, found 5"),
        ("malformed-socktype", 2, "unknown socket type 'streem'"),
        ("malformed-protocol", 4, "unknown protocol 'udb'"),
        ("malformed-wait", 2, "bad wait field 'nowait.x' (expected wait or nowait[.max[.perip]])"),
        ("malformed-continuation", 3, "continuation lines are not supported: join this line with the entry above"),
    ],
)
def test_malformed_inetd(fixture, lineno, why):
    path = str(INETD / fixture)
    with pytest.raises(InetdParseError) as exc:
        plan_inetd(read(path), path, Policy())
    assert str(exc.value) == "cannot parse %s line %d: %s" % (path, lineno, why)
    assert (exc.value.path, exc.value.lineno) == (path, lineno)


# ---------------------------------------------------------------- xinetd

# file, name, id, line of every block of the stock Debian 12 xinetd.d
DEBIAN12_BLOCKS = [
    ("chargen", "chargen", "chargen-stream", 7),
    ("chargen", "chargen", "chargen-dgram", 19),
    ("chargen-udp", "chargen", "chargen-dgram", 4),
    ("daytime", "daytime", "daytime-stream", 5),
    ("daytime", "daytime", "daytime-dgram", 17),
    ("daytime-udp", "daytime", "daytime-dgram", 4),
    ("discard", "discard", "discard-stream", 4),
    ("discard", "discard", "discard-dgram", 16),
    ("discard-udp", "discard", "discard-dgram", 4),
    ("echo", "echo", "echo-stream", 5),
    ("echo", "echo", "echo-dgram", 17),
    ("echo-udp", "echo", "echo-dgram", 4),
    ("servers", "servers", None, 4),
    ("services", "services", None, 4),
    ("time", "time", "time-stream", 7),
    ("time", "time", "time-dgram", 19),
    ("time-udp", "time", "time-dgram", 4),
]


def test_parse_xinetd_debian12():
    blocks = []
    for name in sorted(os.listdir(XINETD_D)):
        path = str(XINETD_D / name)
        text = read(path)
        new, services = plan_xinetd_file(text, path, Policy())
        assert new == text
        for s in services:
            assert s["file"] == path
            assert (s["enabled"], s["action"], s["internal"], s["wrapped"]) == (False, "unchanged", True, None)
            blocks.append((name, s["name"], s["id"], s["line"]))
    assert blocks == DEBIAN12_BLOCKS


def test_xinetd_fields():
    path = str(XINETD_D / "echo")
    services = plan_xinetd_file(read(path), path, Policy())[1]
    assert services[0] == {
        "name": "echo",
        "id": "echo-stream",
        "file": path,
        "line": 5,
        "enabled": False,
        "socket_type": "stream",
        "protocol": "tcp",
        "user": "root",
        "server": None,
        "args": [],
        "internal": True,
        "wrapped": None,
        "action": "unchanged",
    }


def test_xinetd_disable_existing_line_keeps_indentation():
    path = str(XINETD_D / "echo")
    original = read(path)
    enabled = original.replace("\tdisable\t\t= yes\n", "\tdisable\t\t= no\n")
    new, services = plan_xinetd_file(enabled, path, Policy())
    assert new == original
    assert [(s["id"], s["action"], s["enabled"]) for s in services] == [
        ("echo-stream", "disabled", False),
        ("echo-dgram", "disabled", False),
    ]
    assert plan_xinetd_file(new, path, Policy()) == (new, plan_xinetd_file(original, path, Policy())[1])


def test_xinetd_keep():
    path = str(XINETD_D / "echo")
    enabled = read(path).replace("= yes", "= no")
    new, services = plan_xinetd_file(enabled, path, Policy(keep=["echo"]))
    assert new == enabled
    assert summarize(services) == {"disabled": [], "wrapped": [], "enabled": ["echo"]}
    assert {s["action"] for s in services} == {"kept"}


TELNET_BLOCK = (
    "# default: on\n"
    "service telnet\n"
    "{\n"
    "    flags       = REUSE\n"
    "    socket_type = stream\n"
    "    wait        = no\n"
    "    user        = root\n"
    "    server      = /usr/sbin/in.telnetd\n"
    "    server_args = -h -L /bin/login\n"
    "    log_on_failure += USERID\n"
    "}\n"
)


def test_xinetd_insert_disable_line():
    new, services = plan_xinetd_file(TELNET_BLOCK, "telnet", Policy())
    assert new == TELNET_BLOCK.replace("{\n", "{\n\tdisable\t\t= yes\n")
    assert services == [
        {
            "name": "telnet",
            "id": None,
            "file": "telnet",
            "line": 2,
            "enabled": False,
            "socket_type": "stream",
            "protocol": None,
            "user": "root",
            "server": "/usr/sbin/in.telnetd",
            "args": ["-h", "-L", "/bin/login"],
            "internal": False,
            "wrapped": None,
            "action": "disabled",
        }
    ]
    assert plan_xinetd_file(new, "telnet", Policy())[0] == new


def test_xinetd_defaults_and_includedir_are_kept():
    text = "defaults\n{\n\tinstances = 60\n}\n\nincludedir /etc/xinetd.d\n" + TELNET_BLOCK
    new, services = plan_xinetd_file(text, "xinetd.conf", Policy(disable_unlisted=False))
    assert new == text
    assert [(s["name"], s["line"], s["action"]) for s in services] == [("telnet", 8, "kept")]


@pytest.mark.parametrize(
    "fixture, lineno, why",
    [
        ("malformed-missing-brace", 5, "expected '{' after 'service telnet' on line 2, found 'disable\\t= no'"),
        ("malformed-unterminated", 6, "block opened on line 1 is not closed by '}'"),
        ("malformed-eof", 2, "block opened here is not closed by '}' before the end of the file"),
        ("malformed-no-equals", 4, "attribute line without '=': 'socket_type\\tstream'"),
    ],
)
def test_malformed_xinetd(fixture, lineno, why):
    path = str(FIXTURES / "xinetd" / fixture)
    with pytest.raises(InetdParseError) as exc:
        plan_xinetd_file(read(path), path, Policy())
    assert str(exc.value) == "cannot parse %s line %d: %s" % (path, lineno, why)


def test_xinetd_missing_brace_at_end_of_file():
    with pytest.raises(InetdParseError) as exc:
        plan_xinetd_file("# x\nservice ftp\n", "ftp", Policy())
    assert str(exc.value) == "cannot parse ftp line 2: missing '{' after 'service ftp'"


@pytest.mark.parametrize(
    "name, skipped",
    [
        ("telnet", False),
        ("chargen-udp", False),
        ("telnet.dpkg-old", True),
        ("telnet~", True),
        (".hidden", True),
        ("README.md", True),
    ],
)
def test_xinetd_skips(name, skipped):
    assert xinetd_skips(name) is skipped
