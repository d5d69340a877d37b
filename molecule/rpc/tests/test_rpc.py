"""rpc role on rpcbind and the NFS server files (Debian 11, 12, 13): /etc/exports, the fixed
ports in nfs.conf and the daemons' options, where rpcbind listens, and what a trusted and an
untrusted client on the --internal test network get from the portmapper.

The container kernel has no nfsd: rpcbind is tested for real (sockets, calls from clients);
the NFS server settings are tested on their files (nfsconf reads them back).

Every test fails on the unhardened soft target (prepare proves the client side): stock rpcbind
listens on 0.0.0.0:111 and [::]:111 and answers anyone, the operator's exports give root to
the world, and no daemon has a fixed port."""

import re
import shlex
import sys
from pathlib import Path

import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))

from audit_harness import assert_fail_then_pass  # noqa: E402

testinfra_hosts = ["targets"]

TRUSTED = "docker://bastion-rpc-trusted"
UNTRUSTED = "docker://bastion-rpc-untrusted"
PROBE = (Path(__file__).resolve().parent / "rpc_probe.py").read_text()


def internal_address(host):
    return host.ansible.get_variables()["rpc_internal_addresses"][-1]


def probe(client, address, proto, what):
    cmd = "python3 -c %s %s %s %s" % (shlex.quote(PROBE), address, proto, what)
    return testinfra.get_host(client).check_output(cmd)


def test_exports_squash_root_and_name_their_clients(host):
    exports = host.file("/etc/exports")
    assert (exports.user, exports.group, exports.mode) == ("root", "root", 0o644)
    lines = [line for line in exports.content_string.splitlines() if line and not line.startswith("#")]
    assert lines == [
        "/srv/nfs/share 172.30.111.100/32(rw,sync,no_subtree_check,root_squash)",
        "/srv/nfs/backup 172.30.111.100(rw,sync,no_subtree_check,root_squash)",
    ]


def has_nfs_conf(host):
    """Debian 12 and 13: nfs-utils 2.x reads /etc/nfs.conf; Debian 11 (1.3.4) has neither it nor nfsconf."""
    return host.file("/usr/sbin/nfsconf").exists


def test_backups_of_the_stock_files_kept(host):
    assert re.search(r"^exports\..*~$", host.check_output("ls /etc"), re.M), "no backup of /etc/exports"
    assert re.search(r"^rpcbind\..*~$", host.check_output("ls /etc/default"), re.M), "no backup of rpcbind"
    if has_nfs_conf(host):
        assert re.search(r"^nfs\.conf\..*~$", host.check_output("ls /etc"), re.M), "no backup of /etc/nfs.conf"
    else:
        listing = host.check_output("ls /etc/default")
        for name in ("nfs-common", "nfs-kernel-server"):
            assert re.search(r"^%s\..*~$" % name, listing, re.M), "no backup of %s" % name


def test_nfsconf_reads_the_fixed_ports(host):
    if not has_nfs_conf(host):
        assert not host.file("/etc/nfs.conf").exists
        return
    dump = host.run("nfsconf --dump")
    assert dump.rc == 0 and "config error" not in dump.stderr, dump.stderr
    for section, key, value in (
        ("mountd", "port", "32767"),
        ("statd", "port", "32765"),
        ("statd", "outgoing-port", "32766"),
        ("lockd", "port", "32768"),
        ("lockd", "udp-port", "32768"),
    ):
        assert host.check_output("nfsconf --get %s %s" % (section, key)) == value, (section, key)
    # The stock setting next to the port survives.
    assert host.check_output("nfsconf --get mountd manage-gids") == "y"


def test_daemon_options_carry_the_ports_where_the_units_read_them(host):
    """Debian 11: nfs-config.service turns /etc/default into the daemons' command lines."""
    if has_nfs_conf(host):
        # Not read on 12 and 13: left as Debian ships them.
        for path in ("/etc/default/nfs-kernel-server", "/etc/default/nfs-common"):
            if host.file(path).exists:
                text = host.file(path).content_string
                assert not re.search(r"^(RPCMOUNTDOPTS|STATDOPTS)=.*--port", text, re.M), path
        return
    for path, var, expected in (
        ("/etc/default/nfs-kernel-server", "RPCMOUNTDOPTS", '"--manage-gids --port 32767"'),
        ("/etc/default/nfs-common", "STATDOPTS", '"--port 32765 --outgoing-port 32766"'),
    ):
        values = re.findall(r"^%s=(.*)$" % var, host.file(path).content_string, re.M)
        assert values[-1:] == [expected], (path, values)
    generated = host.file("/run/sysconfig/nfs-utils").content_string
    assert 'RPCMOUNTDARGS="--manage-gids --port 32767"' in generated
    assert 'STATDARGS="--port 32765 --outgoing-port 32766"' in generated
    lockd = host.file("/etc/modprobe.d/bastion-lockd.conf")
    assert lockd.contains("^options lockd nlm_tcpport=32768 nlm_udpport=32768$")


def test_rpcbind_listens_on_internal_addresses_only(host):
    allowed = {"127.0.0.1", "::1", internal_address(host)}
    out = host.check_output("ss -H -ltnu sport = :111")
    local = {re.sub(r"^\[?(.*?)\]?(%\S+)?:111$", r"\1", line.split()[4]) for line in out.splitlines()}
    assert local == allowed, out
    for proto in ("tcp", "udp"):
        assert not host.socket("%s://0.0.0.0:111" % proto).is_listening
        assert not host.socket("%s://:::111" % proto).is_listening


def test_rpcbind_options_name_the_internal_addresses(host):
    values = re.findall(r"^OPTIONS=(.*)$", host.file("/etc/default/rpcbind").content_string, re.M)
    assert values[-1] == '"-w -h 127.0.0.1 -h ::1 -h %s"' % internal_address(host)


def test_rpcbind_answers_on_the_host_itself(host):
    out = host.check_output("rpcinfo -p 127.0.0.1")
    assert re.search(r"^\s*100000\s+2\s+tcp\s+111\s+portmapper$", out, re.M), out


def test_rpcbind_not_reachable_on_the_external_address(host):
    # The docker bridge address: the one that is neither loopback nor on the internal network.
    addresses = host.check_output("ip -4 -o addr show | awk '{print $4}' | cut -d/ -f1").split()
    external = [a for a in addresses if a != "127.0.0.1" and not a.startswith("172.30.111.")]
    assert len(external) == 1, addresses
    bridge = external[0]
    out = host.run("rpcinfo -T tcp %s 100000 2" % bridge)
    assert out.rc != 0 and "refused" in (out.stdout + out.stderr).lower(), out


def test_portmapper_answers_the_trusted_client_denies_the_untrusted(host):
    address = internal_address(host)
    assert probe(TRUSTED, address, "tcp", "getport") == "accepted port=111"
    assert probe(TRUSTED, address, "tcp", "dump").startswith("accepted entries=")
    # Debian's rpcbind asks its TCP wrappers (hosts.allow, daemon name rpcbind) on every call
    # but NULL, and answers a refused caller with an authentication error.
    for proto, what in (("tcp", "getport"), ("udp", "getport"), ("tcp", "dump"), ("udp", "dump")):
        assert probe(UNTRUSTED, address, proto, what) == "denied", (proto, what)


def test_audit_checks_fail_before_and_pass_after(host):
    assert_fail_then_pass(host, ["RPC-01", "RPC-02", "RPC-03"])
