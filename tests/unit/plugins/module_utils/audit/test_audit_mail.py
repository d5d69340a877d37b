# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MAIL-04 against the refusals the mail role's molecule scenario meets on live MTAs."""

from __future__ import annotations

import io

from ansible_collections.bastion.hardening.plugins.module_utils.audit import mail
from audit_helpers import make_ctx, sock


class ScriptedConn(object):
    """Replies from a script, then end of file; records what the client sent."""

    def __init__(self, replies):
        self.replies = io.BytesIO("".join(r + "\r\n" for r in replies).encode())
        self.sent = []

    def makefile(self, mode):
        return self.replies

    def sendall(self, data):
        self.sent.append(data.decode().strip())

    def close(self):
        pass


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
    result, _ = run(["220 mx ESMTP", "250 mx", "550 5.7.1 Access denied", "250 Ok", "221 Bye"])
    assert result.status == "pass", result


def test_temporary_failure_before_rcpt_is_an_error():
    result, _ = run(["421 4.3.2 Service not available"])
    assert result.status == "error", result
    assert result.evidence[-1] == "the MTA did not get as far as RCPT TO"


def test_exim_hardened_relay_refused():
    # exim 4.96 (Debian 12) from a client outside relay_from_hosts.
    result, _ = run(
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
    result, _ = run(["220 mx ESMTP", "250 mx", "250 OK", "250 Accepted", "250 Reset OK", "221 closing"])
    assert result.status == "fail", result
