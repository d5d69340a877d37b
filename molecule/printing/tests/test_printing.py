"""printing role on BSD lpd and CUPS (Debian 11, 12, 13): hosts.lpd, lpd's options and sockets
(or lpd gone, Debian 12: printing_lpd_mode remove), cupsd.conf, CUPS's sockets, cups-browsed,
and what a trusted and an untrusted client on the --internal test network get on 515 and 631.

Every test fails on the unhardened soft target (prepare proves the client side): lpd listens
on every address and lets every host ('+') print, CUPS listens on *:631 with browsing on and
cups-browsed running."""

import re
import shlex
import sys
from pathlib import Path

import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))

from audit_harness import assert_fail_then_pass  # noqa: E402

testinfra_hosts = ["targets"]

TRUSTED = "docker://bastion-print-trusted"
UNTRUSTED = "docker://bastion-print-untrusted"
PROBE = (Path(__file__).resolve().parent / "lpd_probe.py").read_text()
REFUSED = "does not have line printer access"


def variables(host):
    return host.ansible.get_variables()


def internal_address(host):
    return variables(host)["printing_internal_addresses"][-1]


def keeps_lpd(host):
    return variables(host).get("printing_lpd_mode", "restrict") == "restrict"


def lpd_probe(client, address):
    return testinfra.get_host(client).check_output("python3 -c %s %s" % (shlex.quote(PROBE), address))


def listening(host, port):
    out = host.check_output("ss -H -ltn sport = :%d" % port)
    return {re.sub(r"^\[?(.*?)\]?(%\S+)?:\d+$", r"\1", line.split()[3]) for line in out.splitlines()}


def test_hosts_lpd_lists_the_trusted_client_only(host):
    hosts_lpd = host.file("/etc/hosts.lpd")
    if not keeps_lpd(host):
        assert not hosts_lpd.exists
        return
    assert (hosts_lpd.user, hosts_lpd.mode) == ("root", 0o644)
    lines = [line for line in hosts_lpd.content_string.splitlines() if line and not line.startswith("#")]
    assert lines == ["172.30.63.100"]
    assert re.search(r"^hosts\.lpd\..*~$", host.check_output("ls /etc"), re.M), "no backup of hosts.lpd"


def test_lpd_on_internal_addresses_only_or_removed(host):
    if not keeps_lpd(host):
        assert not host.file("/usr/sbin/lpd").exists
        assert host.run("dpkg -s lpr").rc != 0
        assert listening(host, 515) == set()
        return
    values = re.findall(r"^OPTIONS=(.*)$", host.file("/etc/default/lpd").content_string, re.M)
    assert values[-1] == '"-b 127.0.0.1 -b %s"' % internal_address(host)
    assert listening(host, 515) == {"127.0.0.1", internal_address(host)}


def test_cupsd_conf_listens_locally_and_browsing_off(host):
    lines = [
        line.strip()
        for line in host.file("/etc/cups/cupsd.conf").content_string.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert sorted(line for line in lines if re.match(r"(Port|Listen|SSLPort|SSLListen)\s", line)) == [
        "Listen /run/cups/cups.sock",
        "Listen localhost:631",
    ]
    assert [line for line in lines if line.startswith("Browsing ")] == ["Browsing No"]
    assert host.run("cupsd -t").rc == 0
    assert re.search(r"^cupsd\.conf\..*~$", host.check_output("ls /etc/cups"), re.M), "no backup of cupsd.conf"


def test_cups_listens_on_loopback_only_and_answers_there(host):
    assert listening(host, 631) <= {"127.0.0.1", "::1"}
    assert "127.0.0.1" in listening(host, 631)
    assert host.check_output("lpstat -h localhost:631 -r") == "scheduler is running"


def test_cups_browsed_stopped_and_disabled(host):
    service = host.service("cups-browsed")
    assert not service.is_running
    assert not service.is_enabled


def test_untrusted_client_reaches_neither_515_nor_631(host):
    address = internal_address(host)
    untrusted = testinfra.get_host(UNTRUSTED)
    assert untrusted.run("nc -z -w 3 %s 631" % address).rc != 0
    answer = lpd_probe(UNTRUSTED, address)
    if keeps_lpd(host):
        # lpd takes the connection on the internal address and refuses the host (hosts.lpd).
        assert REFUSED in answer, answer
    else:
        assert answer.startswith("error:") and "refused" in answer.lower(), answer


def test_trusted_client_prints_through_lpd_only(host):
    address = internal_address(host)
    trusted = testinfra.get_host(TRUSTED)
    assert trusted.run("nc -z -w 3 %s 631" % address).rc != 0
    answer = lpd_probe(TRUSTED, address)
    if keeps_lpd(host):
        assert not answer.startswith("error:") and REFUSED not in answer, answer
    else:
        assert answer.startswith("error:"), answer


def test_audit_checks_fail_before_and_pass_after(host):
    ids = ["LPD-01", "LPD-02", "LPD-03"] if keeps_lpd(host) else ["LPD-02", "LPD-03"]
    assert_fail_then_pass(host, ids)
    if not keeps_lpd(host):
        result = host.ansible("bastion.hardening.audit_facts", "only=LPD-01", check=False)
        checks = result["ansible_facts"]["bastion_audit"]["checks"]
        assert [c["status"] for c in checks] == ["not_applicable"], checks
