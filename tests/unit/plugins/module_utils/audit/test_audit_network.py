# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Listening sockets from /proc/net (NET) and the packet filter (FW)."""

from __future__ import annotations

import os

import pytest
from ansible_collections.bastion.hardening.plugins.module_utils.audit import network
from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import Check, CommandResult, run_checks
from audit_helpers import AUDIT, make_ctx, sock

PROC_D12 = AUDIT / "proc-d12"


def parse(name, proto, proc=PROC_D12):
    path = proc / "net" / proto
    return network.parse_proc_net(path.read_text(), proto, str(path))


def test_parse_tcp_debian12_daemons():
    found = parse("d12", "tcp")
    assert sorted(set((s["address"], s["port"]) for s in found)) == [
        ("0.0.0.0", 25),
        ("0.0.0.0", 79),
        ("0.0.0.0", 80),
        ("0.0.0.0", 111),
        ("0.0.0.0", 139),
        ("0.0.0.0", 445),
        ("0.0.0.0", 512),
        ("0.0.0.0", 513),
        ("0.0.0.0", 514),
        ("0.0.0.0", 40701),
        ("127.0.0.1", 53),
        ("127.0.0.1", 631),
        ("127.0.0.1", 953),
        ("172.17.0.3", 53),
    ]
    assert found[0] == {"proto": "tcp", "address": "172.17.0.3", "port": 53, "wildcard": False, "inode": 465753}


def test_parse_udp_debian12_keeps_unconnected_only():
    found = parse("d12", "udp")
    ports = sorted(set(s["port"] for s in found))
    assert ports == [53, 111, 137, 138, 517, 518, 682, 5353, 40131, 49414]
    assert {"proto": "udp", "address": "172.17.255.255", "port": 137} in [
        {k: s[k] for k in ("proto", "address", "port")} for s in found
    ]


def test_parse_tcp6_debian13():
    found = parse("d13", "tcp6", AUDIT / "proc-d13")
    assert found == [{"proto": "tcp6", "address": "::", "port": 79, "wildcard": True, "inode": 443609}]


def test_parse_truncated_line():
    text = (PROC_D12 / "net" / "tcp").read_text().splitlines()
    text[2] = text[2][:40]
    with pytest.raises(ValueError) as e:
        network.parse_proc_net("\n".join(text), "tcp", "/proc/net/tcp")
    assert str(e.value) == "cannot parse /proc/net/tcp line 3: expected at least 10 fields, found 5"


def test_parse_bad_address():
    line = "   0: 0000ZZ00:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1"
    with pytest.raises(ValueError, match=r"line 2: bad address '0000ZZ00'"):
        network.parse_proc_net("header\n" + line, "tcp", "/proc/net/tcp")


def fake_proc(tmp_path, tcp_text, owners):
    """A /proc with net/tcp and /proc/<pid>/{comm,fd/N -> socket:[inode]}."""
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "tcp").write_text(tcp_text)
    for pid, comm, inode in owners:
        fd = tmp_path / str(pid) / "fd"
        fd.mkdir(parents=True)
        (tmp_path / str(pid) / "comm").write_text(comm + "\n")
        os.symlink("socket:[%d]" % inode, str(fd / "3"))
        os.symlink("/dev/null", str(fd / "0"))
    return tmp_path


TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
SSH_LINE = (
    "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0\n"
)
SMTP_LINE = (
    "   1: 0100007F:0019 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0 100 0 0 10 0\n"
)
CONN_LINE = (
    "   2: 0100007F:0019 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0 100 0 0 10 0\n"
)


def test_read_sockets_with_owners(tmp_path):
    proc = fake_proc(tmp_path, TCP_HEADER + SSH_LINE + SMTP_LINE + CONN_LINE, [(412, "sshd", 1001)])
    assert network.read_sockets(str(proc)) == [
        sock("tcp", "0.0.0.0", 22, 412, "sshd"),
        sock("tcp", "127.0.0.1", 25),
    ]


def test_net_checks():
    found = [
        sock("tcp", "0.0.0.0", 22, 412, "sshd"),
        sock("tcp6", "::", 23, 30, "inetd"),
        sock("udp", "10.0.0.5", 53),
        sock("tcp", "10.0.0.5", 8080),
        sock("tcp", "127.0.0.1", 25),
        sock("tcp", "192.0.2.7", 443),
    ]
    ctx = make_ctx({"allowed_services": ["tcp/22", "udp/53"], "internal_addresses": ["127.0.0.1", "192.0.2.7"]})
    ctx.cache["sockets"] = found
    assert network.net_01_wildcard(ctx).evidence == ["tcp6 [::]:23 inetd (pid 30)"]
    assert network.net_01_wildcard(ctx).status == "fail"
    assert network.net_02_external(ctx).evidence == ["tcp 10.0.0.5:8080"]
    ctx.cache["sockets"] = found[:1] + found[4:]
    assert network.net_01_wildcard(ctx).status == "pass"
    assert network.net_02_external(ctx).status == "pass"


def test_net_check_on_truncated_proc_is_error(tmp_path):
    proc = fake_proc(tmp_path, TCP_HEADER + SSH_LINE[:30] + "\n", [])
    ctx = make_ctx(proc=str(proc))
    checks = [Check("NET-01", "t", "internet access", "high", network.net_01_wildcard)]
    report = run_checks(checks, ctx)[0]
    assert report["status"] == "error"
    assert report["evidence"] == [
        "check failed: ValueError: cannot parse %s/net/tcp line 2: expected at least 10 fields, found 3" % proc
    ]


NFT_RULESET = """table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\tct state established,related accept
\t\tiif "lo" accept
\t\ttcp dport { 22, 443 } ip saddr 10.0.0.0/8 accept
\t}
\tchain forward {
\t\ttype filter hook forward priority filter; policy drop;
\t}
\tchain output {
\t\ttype filter hook output priority filter; policy accept;
\t\ttcp dport 22 accept
\t}
}
"""

IPTABLES_SAVE = """# Generated by iptables-save v1.8.9 (nf_tables)
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:ssh-in - [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -j ssh-in
-A ssh-in -p tcp -m multiport --dports 22,2222 -j ACCEPT
COMMIT
"""


def test_parse_nft_ruleset():
    chains = network.parse_nft_ruleset(NFT_RULESET)
    assert [(c["table"], c["name"], c["hook"], c["policy"]) for c in chains] == [
        ("inet filter", "input", "input", "drop"),
        ("inet filter", "forward", "forward", "drop"),
        ("inet filter", "output", "output", "accept"),
    ]
    assert chains[0]["rules"][2] == "tcp dport { 22, 443 } ip saddr 10.0.0.0/8 accept"


def fw_ctx(backend, answers):
    return make_ctx(answers=answers, fw_backend=(backend, "/usr/sbin/" + backend))


def test_fw_nft_pass():
    ctx = fw_ctx("nft", {("nft", "list", "ruleset"): CommandResult(0, NFT_RULESET)})
    assert network.fw_01_backend(ctx).evidence == ["nft: /usr/sbin/nft"]
    assert network.fw_02_input_policy(ctx).evidence == ["inet filter chain input: hook input policy drop"]
    assert network.fw_02_input_policy(ctx).status == "pass"
    assert network.fw_03_ssh_rule(ctx).evidence == [
        "no listening sshd found: port 22 assumed",
        "input: tcp dport { 22, 443 } ip saddr 10.0.0.0/8 accept",
    ]


def test_fw_iptables_pass():
    ctx = fw_ctx("iptables", {("iptables-save",): CommandResult(0, IPTABLES_SAVE)})
    assert network.fw_02_input_policy(ctx).status == "pass"
    res = network.fw_03_ssh_rule(ctx)
    assert (res.status, res.evidence[1:]) == (
        "pass",
        ["ssh-in: -A ssh-in -p tcp -m multiport --dports 22,2222 -j ACCEPT"],
    )


def test_fw_drop_without_ssh_rule_fails():
    ruleset = "table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority 0; policy drop;\n\t}\n}\n"
    ctx = fw_ctx("nft", {("nft", "list", "ruleset"): CommandResult(0, ruleset)})
    assert network.fw_03_ssh_rule(ctx).evidence == [
        "no listening sshd found: port 22 assumed",
        "input policy drop and no rule accepting SSH",
    ]
    assert network.fw_03_ssh_rule(ctx).status == "fail"


def test_fw_empty_ruleset():
    ctx = fw_ctx("nft", {("nft", "list", "ruleset"): CommandResult(0, "")})
    assert network.fw_02_input_policy(ctx).evidence == ["nft: no chain on the input hook, input is accepted"]
    assert network.fw_02_input_policy(ctx).status == "fail"
    res = network.fw_03_ssh_rule(ctx)
    assert (res.status, res.evidence[-1]) == ("fail", "no rule accepting SSH (input is not filtered either)")


def test_fw_ruleset_unreadable_in_container():
    """A container without CAP_NET_ADMIN has no packet filter of its own: not applicable, not an error."""
    err = (AUDIT / "cmd" / "nft-eperm.txt").read_text().replace("rc=1\n", "")
    ctx = fw_ctx("nft", {("nft", "list", "ruleset"): CommandResult(1, "", err)})
    res = network.fw_02_input_policy(ctx)
    assert res.status == "not_applicable"
    assert res.evidence == [
        "cannot read the ruleset without CAP_NET_ADMIN: nft list ruleset: exit 1: netlink: Error: cache "
        "initialization failed: Operation not permitted"
    ]


def test_fw_ruleset_unreadable_for_another_reason():
    ctx = fw_ctx("nft", {("nft", "list", "ruleset"): CommandResult(1, "", "Error: No such file or directory")})
    res = network.fw_02_input_policy(ctx)
    assert res.status == "error"
    assert res.evidence == ["cannot read the ruleset: nft list ruleset: exit 1: Error: No such file or directory"]


def test_fw_no_backend():
    ctx = make_ctx(fw_backend=(None, None))
    assert network.fw_01_backend(ctx).status == "fail"
    res = network.fw_02_input_policy(ctx)
    assert (res.status, res.evidence) == ("fail", ["no packet filter tool installed (see FW-01): input is accepted"])
    res = network.fw_03_ssh_rule(ctx)
    assert res.status == "fail"
    assert res.evidence[0] == "no packet filter tool installed (see FW-01): no rule accepts SSH"


# The ruleset the firewall role loads (nft list ruleset on Debian 12, abridged): sshd on 2222.
NFT_ROLE_RULESET = """table inet bastion_filter {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\tiifname "lo" accept comment "loopback"
\t\tct state established,related accept comment "established"
\t\tip saddr 172.30.40.0/24 tcp dport 2222 counter packets 3 bytes 180 accept comment "management ssh"
\t\ttcp dport { 1-21, 23-1023 } counter packets 0 bytes 0 reject with tcp reset comment "legacy"
\t}
}
"""


def sshd_on(*ports):
    return [sock("tcp", "0.0.0.0", p, pid=50, process="sshd") for p in ports] + [
        sock("tcp", "0.0.0.0", 80, 60, "python3")
    ]


def test_fw_03_uses_the_port_sshd_listens_on():
    answers = {("nft", "list", "ruleset"): CommandResult(0, NFT_ROLE_RULESET)}
    res = network.fw_03_ssh_rule(fw_ctx_with(answers, sshd_on(2222)))
    assert res.status == "pass"
    assert res.evidence[0] == "sshd listens on tcp port 2222"
    assert "management ssh" in res.evidence[1]
    # sshd moved to 2200: the rule for 2222 no longer counts, and a reject does not either.
    res = network.fw_03_ssh_rule(fw_ctx_with(answers, sshd_on(2200)))
    assert (res.status, res.evidence) == (
        "fail",
        ["sshd listens on tcp port 2200", "input policy drop and no rule accepting SSH"],
    )
    # sshd on 22: no rule accepts it (the rejected ranges leave 22 out, and a reject is no accept).
    assert network.fw_03_ssh_rule(fw_ctx_with(answers, sshd_on(22))).status == "fail"


def test_fw_ssh_rule_port_ranges():
    assert network._ssh_rule("tcp dport 2000-3000 accept", [2222])
    assert network._ssh_rule("-A INPUT -p tcp -m multiport --dports 80,2000:3000 -j ACCEPT", [2222])
    assert not network._ssh_rule("tcp dport 2000-3000 drop", [2222])
    assert not network._ssh_rule("udp dport 2222 accept", [2222])
    assert not network._ssh_rule("tcp dport { 22, 80 } accept", [2222])


def fw_ctx_with(answers, sockets):
    return make_ctx(answers=answers, fw_backend=("nft", "/usr/sbin/nft"), sockets=sockets)
