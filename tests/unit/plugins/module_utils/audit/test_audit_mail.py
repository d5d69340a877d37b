# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MAIL-04 against the refusals the mail role's molecule scenario meets on live MTAs."""

from __future__ import annotations

from ansible_collections.bastion.hardening.plugins.module_utils.audit import mail
from audit_helpers import ScriptedConn, make_ctx, sock


def run(replies, address="172.30.25.12"):
    conn = ScriptedConn(replies)
    ctx = make_ctx(sockets=[sock("tcp", "127.0.0.1", 25), sock("tcp", address, 25)])
    result = mail.mail_04_relay(ctx, lambda target: mail.smtp_relay_probe(target, connect=lambda a, t: conn))
    return result, conn


def test_exim_host_reject_connection_greeting_is_a_refusal():
    # exim 4.96 with host_reject_connection: 554 greeting, then 503 to anything but QUIT.
    result, conn = run(["554 SMTP service not available", "503 all RCPT commands were rejected", "221 closing"])
    assert result.status == "pass", result
    assert result.evidence[0] == "probe to 172.30.25.12:25"
    assert result.evidence[-1] == "the MTA refused the client before RCPT TO"
    assert conn.sent == ["RSET", "QUIT"]


def test_refusal_at_mail_from_is_a_refusal():
    result, _unused = run(["220 mx ESMTP", "250 mx", "550 5.7.1 Access denied", "250 Ok", "221 Bye"])
    assert result.status == "pass", result


def test_temporary_failure_before_rcpt_is_an_error():
    result, _unused = run(["421 4.3.2 Service not available"])
    assert result.status == "error", result
    assert result.evidence[-1] == "the MTA did not get as far as RCPT TO"


def test_exim_hardened_relay_refused():
    # exim 4.96 (Debian 12) from a client outside relay_from_hosts.
    result, _unused = run(
        [
            "220 bastion-mail-exim12 ESMTP",
            "250-bastion-mail-exim12 Hello audit.invalid [172.30.25.12]",
            "250 HELP",
            "250 OK",
            "550 relay not permitted",
            "250 Reset OK",
            "221 bastion-mail-exim12 closing connection",
        ]
    )
    assert result.status == "pass", result
    assert "S: 550 relay not permitted" in result.evidence


def test_open_relay_still_fails():
    result, _unused = run(["220 mx ESMTP", "250 mx", "250 OK", "250 Accepted", "250 Reset OK", "221 closing"])
    assert result.status == "fail", result


ACCESS_DEBIAN13 = """# Debian's /etc/mail/access (excerpt) with an operator's LAN entry
Connect:127\t\t\t\tRELAY
GreetPause:127\t\t\t0
Connect:IPv6:::1\t\tRELAY
Spam:postmaster@\tFRIEND
reject@\t\t\tREJECT
To:example.com\t\tRELAY
Connect:192.0.2 REJECT
Connect:172\tRELAY
"""

ACCESS_HARDENED = """Connect:192.0.2 REJECT
# BEGIN bastion.hardening mail role
Connect:127\tRELAY
Connect:IPv6:::1\tRELAY
Connect:172.30.25.100\tRELAY
# END bastion.hardening mail role
"""


def sendmail_ctx(trusted):
    return make_ctx(
        {"trusted_networks": trusted}, packages={"sendmail-bin": "8.18"}, sockets=[sock("tcp", "0.0.0.0", 25)]
    )


def never_probe(target):
    raise AssertionError("sendmail relays for its own addresses: no probe from this host")


def test_sendmail_relay_grants_parsed():
    assert mail.sendmail_relay_grants(ACCESS_DEBIAN13) == [(2, "127"), (4, "IPv6:::1"), (9, "172")]
    assert str(mail.access_key_network("172.30.25.100")) == "172.30.25.100/32"
    assert str(mail.access_key_network("10.1")) == "10.1.0.0/16"
    assert str(mail.access_key_network("IPv6:::1")) == "::1/128"
    assert mail.access_key_network("lan.example.test") is None


def test_sendmail_lan_relay_fails(tmp_path):
    path = tmp_path / "access"
    path.write_text(ACCESS_DEBIAN13)
    result = mail.mail_04_relay(sendmail_ctx(["127.0.0.0/8", "::1/128"]), never_probe, str(path))
    assert result.status == "fail", result
    assert result.evidence[0] == "sendmail %s line 9: 172 RELAY (outside trusted_networks)" % path


def test_sendmail_hardened_access_passes(tmp_path):
    path = tmp_path / "access"
    path.write_text(ACCESS_HARDENED)
    trusted = ["127.0.0.0/8", "::1/128", "172.30.25.100/32"]
    result = mail.mail_04_relay(sendmail_ctx(trusted), never_probe, str(path))
    assert result.status == "pass", result
    # The same map against a narrower policy fails.
    assert mail.mail_04_relay(sendmail_ctx(["127.0.0.0/8", "::1/128"]), never_probe, str(path)).status == "fail"


def test_sendmail_relay_by_name_fails(tmp_path):
    path = tmp_path / "access"
    path.write_text("Connect:lan.example.test RELAY\n")
    result = mail.mail_04_relay(sendmail_ctx(["127.0.0.0/8"]), never_probe, str(path))
    assert result.status == "fail" and "(a name, not a network)" in result.evidence[0], result


def banner(line, sockets=None):
    ctx = make_ctx(sockets=sockets or [sock("tcp", "127.0.0.1", 25), sock("tcp", "172.30.25.11", 25)])
    seen = []

    def greet(target):
        seen.append(target)
        return int(line[:3]), line

    return mail.mail_05_banner(ctx, greet), seen


def test_mail_05_stock_banners_fail():
    # Stock greetings seen on Debian 11, 12, 13.
    for line, word in (
        ("220 vm ESMTP Postfix (Debian/GNU)", "Postfix"),
        ("220 bastion-mail-exim12 ESMTP Exim 4.96 Sun, 29 Nov 2026 16:54:21 +0000", "Exim"),
        ("220 sm13.example.test ESMTP Sendmail 8.18.1/8.18.1/Debian-6; Sun, 29 Nov 2026 17:34:52 GMT", "Sendmail"),
    ):
        result, seen = banner(line)
        assert result.status == "fail", result
        assert result.evidence[1] == "names %r" % word
        assert seen == ["127.0.0.1"]


def test_mail_05_hardened_banners_pass():
    for line in ("220 vm ESMTP", "220 bastion-mail-exim12 ESMTP", "220 sm13.example.test ESMTP"):
        result, _unused = banner(line)
        assert result.status == "pass", result


def test_mail_05_version_alone_fails_and_host_name_is_not_a_version():
    assert banner("220 mx1.example.test ESMTP ready 3.10.13")[0].status == "fail"
    assert banner("220 10.0.0.25 ESMTP")[0].status == "pass"


def test_mail_05_internal_address_only_and_nothing_listening():
    result, seen = banner("220 mx ESMTP", sockets=[sock("tcp", "172.30.25.11", 25)])
    assert seen == ["172.30.25.11"] and result.status == "pass"
    assert mail.mail_05_banner(make_ctx(sockets=[])).status == "not_applicable"


def test_loopback_only_mta_is_not_probed():
    # The demo's exim4 after hardening: 127.0.0.1 and ::1 only. exim relays for loopback
    # clients by design, so a probe would get 250; no other host can reach the socket.
    ctx = make_ctx(sockets=[sock("tcp", "127.0.0.1", 25), sock("tcp6", "::1", 25)])

    def never_probe(target):
        raise AssertionError("probed %s" % target)

    result = mail.mail_04_relay(ctx, never_probe)
    assert result.status == "pass", result
    assert result.evidence[-1] == "port 25 is on loopback only: no other host can relay"


def test_loopback_and_internal_address_is_probed_on_the_internal_one():
    result, _unused = run(["220 mx ESMTP", "250 mx", "250 Ok", "250 Ok relaying", "250 Ok", "221 Bye"])
    assert result.status == "fail", result
    assert result.evidence[0] == "probe to 172.30.25.12:25"
