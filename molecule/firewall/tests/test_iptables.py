"""firewall role with the iptables backend (Debian 12, iptables-nft): the same data as the
nftables target, rendered for iptables-restore and ip6tables-restore, checked with --test,
loaded with confirm-or-revert and persisted for netfilter-persistent. Seen from the management
host on the inside network: nmap open, closed (reset), filtered.

Fails on the soft target: no iptables, nothing filtered."""

import re
import sys
from pathlib import Path

import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "shared"))

from audit_harness import assert_fail_then_pass  # noqa: E402

testinfra_hosts = ["bastion-fw-iptables"]

MGMT = "docker://bastion-fw-mgmt"
ADDRESS = "172.30.40.20"


def test_rules_files_checked_and_persistent(host):
    for version, tool in ((4, "iptables-restore"), (6, "ip6tables-restore")):
        path = "/etc/iptables/rules.v%d" % version
        content = host.file(path).content_string
        assert content == host.file("/var/lib/bastion-firewall/candidate.v%d" % version).content_string
        assert ":INPUT DROP [0:0]" in content
        assert host.run("%s --test %s" % (tool, path)).rc == 0
    assert host.service("netfilter-persistent.service").is_enabled


def test_loaded_rules(host):
    v4 = host.check_output("iptables-save -t filter")
    assert re.search(r"^:INPUT DROP", v4, re.M)
    assert re.search(r"^:FORWARD DROP", v4, re.M)
    assert '-A INPUT -s 172.30.40.0/24 -p tcp -m tcp --dport 2222 -m comment --comment "management ssh" -j ACCEPT' in v4
    legacy = "--dport 23:1023 -m comment --comment legacy -j REJECT --reject-with tcp-reset"
    assert "-A INPUT -p tcp -m tcp " + legacy in v4
    assert "-j LOG --log-prefix" in v4
    v6 = host.check_output("ip6tables-save -t filter")
    assert re.search(r"^:INPUT DROP", v6, re.M)
    assert "--icmpv6-type 2 " in v6 or "packet-too-big" in v6, v6  # path MTU discovery
    # Only IPv4 management networks here: no IPv6 SSH rule, so no IPv6 source can reach sshd.
    assert "2222" not in v6


def test_nmap_from_the_management_host(host):
    out = testinfra.get_host(MGMT).check_output("nmap -Pn -n -sS --max-retries 1 -p 23,80,2222,6000,8080 %s" % ADDRESS)
    ports = dict(re.findall(r"^(\d+/tcp)\s+(\S+)", out, re.M))
    assert ports == {
        "23/tcp": "closed",
        "80/tcp": "open",
        "2222/tcp": "open",
        "6000/tcp": "filtered",
        "8080/tcp": "filtered",
    }, out


def test_audit_fails_before_and_passes_after(host):
    assert_fail_then_pass(host, ["FW-01", "FW-02", "FW-03"])
