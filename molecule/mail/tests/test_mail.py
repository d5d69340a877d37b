"""mail role on postfix (Debian 11, 13), exim4 (12) and sendmail (13): the port 25 sockets, what
a trusted and an untrusted client on the --internal test network get (relaying to an outside
domain, VRFY, EXPN, the banner), local mail to root, the backups, and the audit's MAIL-02..05.

Every test fails on the unhardened soft target (prepare proves it): each MTA listens on every
address, relays for 172.16.0.0/12 (the untrusted client is in it), answers VRFY, names itself
in the banner, and root's mail is not forwarded to admin (exim4 refuses to deliver to root)."""

import json
import re
import sys
import time
import uuid
from pathlib import Path

import pytest
import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "shared"))

from audit_harness import assert_fail_then_pass  # noqa: E402

testinfra_hosts = ["targets"]

TRUSTED = "docker://bastion-mail-trusted"
UNTRUSTED = "docker://bastion-mail-untrusted"
PROBE = (Path(__file__).resolve().parent / "smtp_probe.py").read_text()

# The exact refusals each MTA gives (code of the reply).
VRFY_REFUSED = {"postfix": 502, "exim4": 252, "sendmail": 252}
# postfix has no EXPN: 3.5 (Debian 11) answers an unknown command with 502, 3.10 (Debian 13) with 500.
EXPN_REFUSED = {"postfix": {"11": 502, "13": 500}, "exim4": 550, "sendmail": 502}
RELAY_REFUSED = {"postfix": 554, "exim4": 550, "sendmail": 550}
RELAY_TEXT = {
    "postfix": r"Relay access denied",
    "exim4": r"relay not permitted",
    "sendmail": r"Relaying denied",
}
MTA_WORDS = re.compile(r"postfix|exim|sendmail|debian|\d+\.\d+", re.I)


def mta(host):
    return next(g for g in ("postfix", "exim4", "sendmail") if g in host.ansible.get_variables()["group_names"])


def internal_addresses(host):
    return host.ansible.get_variables()["mail_internal_addresses"]


def internal_address(host):
    return internal_addresses(host)[-1]


def smtp(client, address, *commands):
    """The conversation with address:25 from client: [{command, code, text}]."""
    args = " ".join("'%s'" % c for c in (address,) + commands)
    client = testinfra.get_host(client) if isinstance(client, str) else client
    out = client.check_output("python3 -c %s %s" % (_quote(PROBE), args))
    return json.loads(out)


def _quote(text):
    return "'" + text.replace("'", "'\"'\"'") + "'"


def code_of(replies, prefix):
    return next(r for r in replies if r["command"].startswith(prefix))


def test_port_25_listens_on_internal_addresses_only(host):
    out = host.check_output("ss -H -ltn sport = :25")
    local = {re.sub(r"^\[?(.*?)\]?(%\S+)?:25$", r"\1", line.split()[3]) for line in out.splitlines()}
    assert local, out
    assert local <= set(internal_addresses(host)), "port 25 on %s" % sorted(local - set(internal_addresses(host)))
    assert {"127.0.0.1", internal_address(host)} <= local, out
    assert not host.socket("tcp://0.0.0.0:25").is_listening
    assert not host.socket("tcp://:::25").is_listening


def test_bridge_address_refuses_connections(host):
    addresses = host.check_output("ip -4 -o addr show").split("\n")
    bridge = [a.split()[3].split("/")[0] for a in addresses if not re.search(r" (127\.|172\.30\.25\.)", a)]
    assert bridge, addresses
    for address in bridge:
        replies = smtp(host, address, "QUIT")
        assert replies[0]["command"] == "connect" and replies[0]["code"] == 0, replies
        assert "refused" in replies[0]["text"].lower(), replies


def test_untrusted_client_cannot_relay_verify_or_expand(host):
    name = mta(host)
    replies = smtp(
        UNTRUSTED,
        internal_address(host),
        "EHLO client.test",
        "VRFY root@localhost",
        "EXPN root@localhost",
        "MAIL FROM:<probe@client.test>",
        "RCPT TO:<relay-test@example.net>",
        "QUIT",
    )
    if host.ansible.get_variables().get("mail_connect_networks"):
        # MAIL-06 (exim4): refused as it connects.
        assert replies[0]["code"] == 554, replies
        assert len(replies) == 1 or replies[1]["command"] == "closed", replies
        return
    assert replies[0]["code"] == 220, replies
    assert code_of(replies, "VRFY")["code"] == VRFY_REFUSED[name], replies
    expn = EXPN_REFUSED[name]
    if isinstance(expn, dict):
        expn = expn[host.system_info.release.split(".")[0]]
    assert code_of(replies, "EXPN")["code"] == expn, replies
    rcpt = code_of(replies, "RCPT")
    assert rcpt["code"] == RELAY_REFUSED[name] and re.search(RELAY_TEXT[name], rcpt["text"]), replies


def test_trusted_client_relays_and_still_cannot_verify(host):
    name = mta(host)
    replies = smtp(
        TRUSTED,
        internal_address(host),
        "EHLO trusted.test",
        "VRFY root@localhost",
        "MAIL FROM:<probe@trusted.test>",
        "RCPT TO:<relay-test@example.net>",
        "RSET",
        "QUIT",
    )
    assert replies[0]["code"] == 220, replies
    assert code_of(replies, "VRFY")["code"] == VRFY_REFUSED[name], replies
    assert code_of(replies, "RCPT")["code"] == 250, replies


def test_banner_without_mta_name_or_version(host):
    banner = smtp(TRUSTED, internal_address(host), "QUIT")[0]
    assert banner["code"] == 220, banner
    assert not MTA_WORDS.search(banner["text"].split(" ", 1)[1].replace(host.check_output("hostname"), "")), banner


def test_local_mail_to_root_reaches_the_administrator(host):
    tag = "bastion-mail-test-%s" % uuid.uuid4().hex
    host.check_output("printf 'Subject: %s\\n\\nlocal delivery\\n' | /usr/sbin/sendmail -oi root" % tag)
    for _attempt in range(30):
        if host.run("grep -q %s /var/mail/admin" % tag).rc == 0:
            break
        time.sleep(0.5)
    else:
        pytest.fail(
            "%s not in /var/mail/admin: %s" % (tag, host.run("tail -5 /var/log/mail.log; ls -l /var/mail").stdout)
        )
    assert host.run("grep -qxF 'root: admin' /etc/aliases").rc == 0


def test_backups_of_the_stock_files_kept(host):
    files = {
        "postfix": ["/etc/postfix/main.cf"],
        "exim4": ["/etc/exim4/update-exim4.conf.conf", "/etc/exim4/exim4.conf.template"],
        "sendmail": ["/etc/mail/sendmail.mc", "/etc/mail/sendmail.cf", "/etc/mail/access"],
    }[mta(host)] + ["/etc/aliases"]
    for path in files:
        directory, name = path.rsplit("/", 1)
        listing = host.check_output("ls %s" % directory)
        assert re.search(r"^%s\..*~$" % re.escape(name), listing, re.M), "no backup of %s" % path


def test_audit_mail_02_to_04_fail_before_pass_after(host):
    # With the parameters audit_before.yml used (molecule.yml: the internal addresses and the
    # trusted networks of the scenario).
    assert_fail_then_pass(host, ["MAIL-02", "MAIL-03", "MAIL-04", "MAIL-05"])
