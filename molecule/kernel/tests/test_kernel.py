"""kernel role in containers (Debian 11, 12, 13), never privileged: /proc/sys is read-only and
the host's, so the role writes its files and loads nothing. The tests check the written files,
the audit's view of them, and that no running value changed.

The KERN audit checks pass only on good RUNNING values; in a container those cannot change, so
the honest expectation is fail -> warn ("configured but not applied") for each KERN check that
failed on the soft target, never pass. Every test fails on the unhardened soft target: the files
are missing there and the failing checks fail."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "shared"))

from audit_harness import audit_before, audit_now  # noqa: E402

testinfra_hosts = ["targets"]

SYSCTL = "/etc/sysctl.d/90-bastion.conf"
MODPROBE = "/etc/modprobe.d/bastion-blacklist.conf"
IDS = ["KERN-%02d" % n for n in range(1, 13)]
WANT = {
    "kernel.yama.ptrace_scope": "1",
    "kernel.kptr_restrict": "2",
    "kernel.dmesg_restrict": "1",
    "fs.protected_hardlinks": "1",
    "fs.protected_symlinks": "1",
    "fs.protected_fifos": "2",
    "fs.protected_regular": "2",
    "fs.suid_dumpable": "0",
    "net.ipv4.conf.all.rp_filter": "1",
    "net.ipv4.conf.default.rp_filter": "1",
    "net.ipv4.conf.all.accept_redirects": "0",
    "net.ipv6.conf.all.accept_redirects": "0",
    "net.ipv4.conf.all.accept_source_route": "0",
    "net.ipv6.conf.default.accept_source_route": "0",
    "net.ipv4.conf.all.send_redirects": "0",
    "net.ipv4.conf.all.log_martians": "1",
    "net.ipv4.icmp_echo_ignore_broadcasts": "1",
    "net.ipv4.tcp_syncookies": "1",
}


def settings(host):
    lines = host.file(SYSCTL).content_string.splitlines()
    pairs = [line.split(" = ") for line in lines if line and not line.startswith("#")]
    return dict(pairs)


def test_sysctl_file(host):
    f = host.file(SYSCTL)
    assert (f.user, f.group, f.mode) == ("root", "root", 0o644)
    written = settings(host)
    for key, value in WANT.items():
        assert written.get(key) == value, (key, written.get(key))


def test_ip_forward_left_alone_on_docker_and_masquerading_hosts_only(host):
    variables = host.ansible.get_variables()
    written = settings(host)
    if variables.get("bastion_docker_host") or variables.get("firewall_masquerade"):
        assert "net.ipv4.ip_forward" not in written
    else:
        assert written["net.ipv4.ip_forward"] == "0"
    # Never loaded: the running value is the soft target's.
    assert (
        host.file("/proc/sys/net/ipv4/ip_forward").content_string
        == host.file("/var/tmp/bastion-ip-forward").content_string
    )


def test_modprobe_blacklist(host):
    lines = host.file(MODPROBE).content_string.splitlines()
    for module in ("cramfs", "udf", "hfsplus", "dccp", "sctp", "tipc"):
        assert "blacklist %s" % module in lines and "install %s /bin/false" % module in lines, module


def test_audit_fail_before_warn_after_configured_not_applied(host):
    before, params = audit_before(host)
    after = audit_now(host, IDS, params)
    failing = [i for i in IDS if before[i]["status"] == "fail"]
    # The soft target fails several KERN checks here (kptr_restrict, rp_filter, send_redirects,
    # log_martians at least): if none failed, this test would prove nothing.
    assert len(failing) >= 4, {i: before[i]["status"] for i in IDS}
    for check_id in IDS:
        assert after[check_id]["status"] in ("pass", "warn"), (check_id, after[check_id])
    # A check the running (host) value did not pass cannot pass in a container: it warns, and
    # the configured value it finds is the role's file.
    for check_id in failing:
        evidence = json.dumps(after[check_id])
        assert after[check_id]["status"] == "warn", (check_id, after[check_id])
        assert "configured but not applied" in evidence and SYSCTL in evidence, (check_id, evidence)
