"""firewall role with the nftables backend on Debian 12: the loaded and persistent ruleset, and
what peers on the --internal test networks see: nmap from outside (open, closed by reset,
filtered), SSH from the management network on the port sshd really listens on (2222),
echo-request dropped from outside and counted, spoofed sources dropped and counted,
masquerading of the inside behind the outside interface.

Every test fails on the unhardened soft target (prepare proves it is open): no nft at all,
sshd, 8080 and 6000 open from outside, echo-request answered, nothing forwarded with NAT.

About logging: the rules log (rate-limited) with a prefix, but a container's network namespace
does not reach the kernel log (net.netfilter.nf_log_all_netns is 0 on the host, and the
container cannot read it anyway). What is proven is the log rule in the loaded ruleset, in
front of the drop, and the drop rule's packet counter."""

import re
import sys
import time
from pathlib import Path

import pytest
import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "shared"))

from audit_harness import assert_fail_then_pass  # noqa: E402

testinfra_hosts = ["bastion-fw-target"]

OUTSIDE = "docker://bastion-fw-outside"
MGMT = "docker://bastion-fw-mgmt"
TARGET_OUT = "172.30.41.10"
TARGET_IN = "172.30.40.10"


def peer(name):
    return testinfra.get_host(name)


def counter(host, comment, chain_text=None):
    """Packets counted by the rule with this comment (summed over its lines)."""
    text = chain_text or host.check_output("nft list table inet bastion_filter; nft list table ip bastion_nat")
    found = re.findall(r'counter packets (\d+) bytes \d+ .*comment "%s"' % re.escape(comment), text)
    assert found, "no counted rule %r in %s" % (comment, text)
    return sum(int(n) for n in found)


def nmap(client, *args):
    out = peer(client).check_output("nmap -Pn -n --max-retries 1 %s" % " ".join(args))
    return dict(re.findall(r"^(\d+/(?:tcp|udp))\s+(\S+)", out, re.M))


def test_ruleset_persistent_checked_and_loaded_at_boot(host):
    conf = host.file("/etc/nftables.conf")
    assert (conf.user, conf.mode) == ("root", 0o755)
    assert conf.content_string == host.file("/var/lib/bastion-firewall/candidate.nft").content_string
    assert "flush ruleset" not in conf.content_string
    assert host.run("nft -c -f /etc/nftables.conf").rc == 0
    assert host.service("nftables.service").is_enabled
    # The stock /etc/nftables.conf the package installed was kept as a backup.
    assert re.search(r"^nftables\.conf\..*~$", host.check_output("ls /etc"), re.M)


def test_input_policy_drop_established_loopback_ssh_on_the_real_port(host):
    text = host.check_output("nft list chain inet bastion_filter input")
    assert "type filter hook input priority filter; policy drop;" in text
    rules = [line.strip() for line in text.splitlines()]
    assert 'iifname "lo" accept comment "loopback"' in rules
    assert 'ct state established,related accept comment "established"' in rules
    ssh = [r for r in rules if r.endswith('comment "management ssh"')]
    assert ssh and ssh[0].startswith("ip saddr 172.30.40.0/24 tcp dport 2222 counter packets"), ssh
    assert not [r for r in rules if re.search(r"dport 22\b", r)], "port 22 assumed"
    forward = host.check_output("nft list chain inet bastion_filter forward")
    assert "policy drop;" in forward


def test_second_run_state_matches(host):
    # What the role recorded at confirmation is what is loaded now (idempotence compares them).
    assert host.check_output("/usr/local/sbin/bastion-firewall state nftables") == host.file(
        "/var/lib/bastion-firewall/confirmed.state"
    ).content_string.rstrip("\n")
    assert not host.file("/var/lib/bastion-firewall/armed").exists
    assert host.run("systemctl is-active bastion-firewall-revert.timer").stdout.strip() != "active"


def test_nmap_from_outside_open_closed_filtered(host):
    ports = nmap(OUTSIDE, "-sS", "-p", "21,22,23,80,443,2222,6000,6005,8080", TARGET_OUT)
    assert ports == {
        "21/tcp": "closed",  # rejected with a TCP reset
        "22/tcp": "filtered",  # between the two rejected ranges: default drop
        "23/tcp": "closed",
        "80/tcp": "open",  # the allow list
        "443/tcp": "closed",
        "2222/tcp": "filtered",  # sshd, for the management network only
        "6000/tcp": "filtered",  # dropped (a listener is there)
        "6005/tcp": "filtered",
        "8080/tcp": "filtered",  # default drop (a listener is there)
    }, ports


def test_udp_reject_is_port_unreachable(host):
    ports = nmap(OUTSIDE, "-sU", "-p", "161,162", TARGET_OUT)
    assert ports == {"161/udp": "closed", "162/udp": "open|filtered"}, ports


def test_ssh_open_from_the_management_network(host):
    assert nmap(MGMT, "-sS", "-p", "2222,8080", TARGET_IN) == {"2222/tcp": "open", "8080/tcp": "filtered"}
    banner = peer(MGMT).run("timeout 5 nc -w 3 %s 2222 </dev/null" % TARGET_IN).stdout
    assert banner.startswith("SSH-2.0-OpenSSH"), banner


def test_echo_request_from_outside_dropped_logged_and_counted(host):
    text = host.check_output("nft list chain inet bastion_filter input")
    lines = [line.strip() for line in text.splitlines()]
    outside = r'iifname \{ (?:"eth2", "wan0"|"wan0", "eth2") \} icmp type echo-request '
    log = [
        i
        for i, line in enumerate(lines)
        if re.match(outside + r'limit rate 5/minute log prefix "fw echo-request: "$', line)
    ]
    drop = [i for i, line in enumerate(lines) if re.match(outside + r"counter packets \d+ bytes \d+ drop ", line)]
    assert log and drop and log[0] < drop[0], text
    before = counter(host, "echo-request from outside")
    assert peer(OUTSIDE).run("ping -c 3 -i 0.3 -W 1 %s" % TARGET_OUT).rc != 0
    assert counter(host, "echo-request from outside") >= before + 3
    # From the inside (not an outside interface) echo-request is answered.
    assert peer(MGMT).run("ping -c 1 -W 2 %s" % TARGET_IN).rc == 0
    # The ICMP errors path MTU discovery needs are accepted before anything is dropped.
    errors = [i for i, line in enumerate(lines) if line.startswith("icmp type { destination-unreachable")]
    assert errors and errors[0] < log[0]
    assert "packet-too-big" in text


# Sent into the WAN segment (wan0, an outside interface): a source of the inside LAN and a
# loopback source. (On the docker bridge itself the host drops foreign sources before the
# target could see them: see molecule.yml.)
SPOOF = """
from scapy.all import IP, TCP, send
for src in ("172.30.42.77", "127.0.0.1"):
    send(IP(src=src, dst="172.30.43.10") / TCP(dport=80, flags="S"), count=2, verbose=False)
"""


def test_spoofed_sources_on_the_outside_interface_dropped(host):
    before = counter(host, "anti-spoofing ipv4")
    web_before = counter(host, "web")
    out = peer(OUTSIDE).run("python3 -c '%s'" % SPOOF)
    assert out.rc == 0, out.stderr
    time.sleep(0.5)
    assert counter(host, "anti-spoofing ipv4") >= before + 4
    # Dropped before the input chain: the web rule did not see them.
    assert counter(host, "web") == web_before


def test_masquerade_inside_to_outside(host):
    """The LAN client (172.30.42.100, routed through the target) reaches the outside server,
    which sees the target's outside address."""
    before = counter(host, "masquerade 172.30.42.0/24")
    seen = peer(MGMT).run("timeout 10 nc -w 3 172.30.41.50 7000 </dev/null")
    assert seen.stdout.strip() == TARGET_OUT, (seen.stdout, seen.stderr)
    assert counter(host, "masquerade 172.30.42.0/24") > before


@pytest.mark.parametrize("restart", ["nftables.service"])
def test_ruleset_survives_a_restart_of_the_service(host, restart):
    wanted = host.check_output("/usr/local/sbin/bastion-firewall state nftables")
    assert host.run("systemctl restart %s" % restart).rc == 0
    assert host.check_output("/usr/local/sbin/bastion-firewall state nftables") == wanted


def test_audit_fails_before_and_passes_after(host):
    assert_fail_then_pass(host, ["FW-01", "FW-02", "FW-03"])
