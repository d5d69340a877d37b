"""tcp_wrappers role on the soft target: the two files, what tcpdchk and tcpdmatch make of
them, and finger (run by inetd through tcpd) answered locally but refused to a client on the
--internal test network.

Every test fails on the unhardened soft target: stock hosts.allow and hosts.deny hold
comments only, so tcpd grants everything to everyone."""

import re
import uuid

import testinfra

testinfra_hosts = ["targets"]

CLIENT = "docker://bastion-tcpw-client"
# An address in the default management networks (127.0.0.0/8) that no other rule names, and
# one outside every network (TEST-NET-1).
MANAGEMENT_ADDRESS = "127.10.20.30"
OUTSIDE_ADDRESS = "192.0.2.10"

ALLOW_RULES = [
    "sshd: 127.0.0.0/255.0.0.0 [::1]/128",
    "ALL: LOCAL 127.0.0.1 [::1] 127.0.0.0/255.0.0.0 [::1]/128",
    "in.fingerd: 127.0.0.1 [::1]",
]


def rules(host, path):
    text = host.file(path).content_string
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def verdict(host, daemon, client):
    out = host.check_output("cd /etc && tcpdmatch %s %s" % (daemon, client))
    match = re.search(r"^access:\s+(\S+)", out, re.M)
    assert match, "no verdict from tcpdmatch %s %s: %r" % (daemon, client, out)
    return match.group(1)


def client_address():
    client = testinfra.get_host(CLIENT)
    return client.check_output("getent hosts $(hostname)").split()[0]


def test_hosts_deny_denies_by_default(host):
    deny = host.file("/etc/hosts.deny")
    assert (deny.user, deny.group, deny.mode) == ("root", "root", 0o644)
    assert rules(host, "/etc/hosts.deny") == ["ALL: ALL"]


def test_hosts_allow_grants_only_the_listed_clients(host):
    allow = host.file("/etc/hosts.allow")
    assert (allow.user, allow.group, allow.mode) == ("root", "root", 0o644)
    assert rules(host, "/etc/hosts.allow") == ALLOW_RULES
    assert "# finger for this host only" in allow.content_string


def test_backups_of_the_stock_files_kept(host):
    listing = host.check_output("ls /etc")
    for name in ("hosts.allow", "hosts.deny"):
        assert re.search(r"^%s\..*~$" % re.escape(name), listing, re.M), "no backup of /etc/%s" % name


def test_tcpdchk_is_clean(host):
    # Debian's tcpdchk exits 0 whatever it finds and writes its findings to syslog: run it
    # under a name of its own and read them back from the soft target's syslog.
    tag = "tcpdchk-verify-%s" % uuid.uuid4().hex[:8]
    out = host.check_output("cd /etc && bash -c 'exec -a %s /usr/sbin/tcpdchk -v'" % tag)
    blocks = re.findall(r"^>>> Rule (\S+) line \d+:\n(?:.*\n)*?access:\s+(\S+)", out + "\n", re.M)
    assert blocks.count(("/etc/hosts.allow", "granted")) == len(ALLOW_RULES), out
    assert blocks.count(("/etc/hosts.deny", "denied")) == 1, out
    assert len(blocks) == len(ALLOW_RULES) + 1, out
    if host.file("/var/log/syslog").exists:
        host.run("sleep 1")
        logged = host.run("grep -F '%s' /var/log/syslog" % tag).stdout
        assert not re.search(r"\b(warning|error):", logged), logged


def test_tcpdmatch_fingerd_refused_to_the_client_granted_locally(host):
    address = client_address()
    assert verdict(host, "in.fingerd", address) == "denied", "in.fingerd granted to the client %s" % address
    assert verdict(host, "in.fingerd", "127.0.0.1") == "granted"
    assert verdict(host, "in.fingerd", "::1") == "granted"


def test_tcpdmatch_sshd_granted_to_the_management_networks_only(host):
    assert verdict(host, "sshd", OUTSIDE_ADDRESS) == "denied"
    assert verdict(host, "sshd", MANAGEMENT_ADDRESS) == "granted"


def test_finger_answers_locally_and_refuses_the_client(host):
    name = host.ansible.get_variables()["inventory_hostname"]
    client = testinfra.get_host(CLIENT)
    reply = client.run("echo root | nc -q 2 -w 5 %s 79" % name)
    # tcpd accepts the connection, finds no grant, hits ALL: ALL and closes it unanswered.
    assert "Login:" not in reply.stdout, "finger answered the client: %r" % reply.stdout
    assert "Login: root" in host.check_output("echo root | nc -q 2 -w 5 127.0.0.1 79")
