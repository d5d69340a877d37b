"""inetd role on the soft target: what listened before, what listens after, what a client
on the --internal test network is refused, and what the files say.

Every assertion here fails on the unhardened soft target (see prepare.yml)."""

import re

import pytest
import testinfra

testinfra_hosts = ["targets"]

CLIENT = "docker://bastion-inetd-client"
# Ports of the services the role must switch off (TCP and UDP).
LEGACY_TCP = {7, 9, 13, 19, 23, 37, 512, 513, 514, 2323}
LEGACY_UDP = {7, 9, 13, 19, 37, 517, 518}


def groups(host):
    return set(host.ansible.get_variables().get("group_names", []))


def listening(text):
    """{('tcp'|'udp', port)} from `ss -H -ltnu` lines ('tcp 0.0.0.0:23' or full ss rows)."""
    found = set()
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        proto = fields[0]
        local = fields[4] if len(fields) >= 5 else fields[1]
        port = local.rsplit(":", 1)[-1]
        if port.isdigit():
            found.add(("tcp" if proto.startswith("tcp") else "udp", int(port)))
    return found


def snapshot_section(host, label, section):
    text = host.file("/var/tmp/bastion-snapshot.%s" % label).content_string
    match = re.search(r"^## %s\n(.*?)(?=^## |\Z)" % section, text, re.S | re.M)
    assert match, "no %s section in the %s snapshot" % (section, label)
    return match.group(1)


def test_soft_target_listened_before(host):
    before = listening(snapshot_section(host, "prepare", "listening"))
    wanted = {("tcp", p) for p in (7, 9, 13, 19, 23, 37, 79)}
    if "inetd_hosts" in groups(host):
        wanted |= {("tcp", 2323), ("udp", 517), ("udp", 518)}
    assert wanted <= before, "soft target did not listen on %s" % sorted(wanted - before)


def test_legacy_ports_closed_after(host):
    now = listening(host.check_output("ss -H -ltnu"))
    still = sorted(p for p in now if (p[0] == "tcp" and p[1] in LEGACY_TCP) or (p[0] == "udp" and p[1] in LEGACY_UDP))
    assert still == [], "still listening: %s" % still


def test_kept_service_listens_and_answers_locally(host):
    if "inetd_hosts" not in groups(host):
        pytest.skip("finger is kept on the inetd hosts only")
    assert ("tcp", 79) in listening(host.check_output("ss -H -ltnu"))
    out = host.check_output("echo root | nc -q 2 -w 5 127.0.0.1 79")
    assert "Login: root" in out


def test_kept_service_is_wrapped_and_refuses_a_client(host):
    if "inetd_hosts" not in groups(host):
        pytest.skip("finger is kept on the inetd hosts only")
    name = host.ansible.get_variables()["inventory_hostname"]
    client = testinfra.get_host(CLIENT)
    reply = client.run("echo root | nc -q 2 -w 5 %s 79" % name)
    # tcpd accepts the connection, reads hosts.deny (in.fingerd: ALL) and closes it unanswered.
    assert "Login:" not in reply.stdout, "finger answered a client outside hosts.allow: %r" % reply.stdout


def test_disabled_port_refuses_a_client(host):
    name = host.ansible.get_variables()["inventory_hostname"]
    client = testinfra.get_host(CLIENT)
    for port in (23, 13, 2323):
        assert client.run("nc -z -w 3 %s %d" % (name, port)).rc != 0, "port %d still reachable" % port


def test_inetd_conf_only_wrapped_finger_enabled(host):
    if "inetd_hosts" not in groups(host):
        pytest.skip("inetd.conf is on the inetd hosts only")
    conf = host.file("/etc/inetd.conf").content_string
    enabled = [line for line in conf.splitlines() if line.strip() and not line.startswith("#")]
    assert len(enabled) == 1, enabled
    assert re.match(r"^finger\s+stream\s+tcp\s+nowait\s+nobody\s+/usr/sbin/tcpd\s+/usr/sbin/in\.fingerd$", enabled[0])
    # Internal services are switched off the way update-inetd does it.
    for service in ("echo", "discard", "daytime", "chargen", "time"):
        assert re.search(r"^#<off># %s\s" % service, conf, re.M), "%s not disabled with #<off>#" % service


def test_inetd_conf_backup_kept(host):
    if "inetd_hosts" not in groups(host):
        pytest.skip("inetd.conf is on the inetd hosts only")
    backups = host.check_output("ls /etc/ | grep -c '^inetd.conf\\..*~$' || true")
    assert int(backups) >= 1


def test_socket_unit_masked(host):
    if "inetd_hosts" not in groups(host):
        pytest.skip("the telnet socket unit exists on the inetd hosts only")
    assert host.run("systemctl is-enabled telnet.socket").stdout.strip() == "masked"
    assert not host.service("telnet.socket").is_running


def test_packages_of_disabled_services_purged(host):
    if "inetd_hosts" not in groups(host):
        pytest.skip("INETD-05 is enabled on the inetd hosts only")
    for pkg in ("talkd", "telnetd", "inetutils-telnetd", "rsh-server"):
        assert not host.package(pkg).is_installed, pkg
    assert host.package("fingerd").is_installed, "fingerd provides a kept service"


def test_inetd_still_runs_for_finger(host):
    if "inetd_hosts" not in groups(host):
        pytest.skip("inetd runs on the inetd hosts only")
    inetd = host.service("inetd")
    assert inetd.is_running and inetd.is_enabled


def test_xinetd_services_disabled_and_xinetd_stopped(host):
    if "xinetd_hosts" not in groups(host):
        pytest.skip("xinetd runs on the xinetd host only")
    for path in host.check_output("ls /etc/xinetd.d").split():
        if "." in path or path.endswith("~"):
            continue  # xinetd skips these names (the role's backups among them)
        content = host.file("/etc/xinetd.d/" + path).content_string
        blocks = len(re.findall(r"^service\s", content, re.M))
        assert len(re.findall(r"^\s*disable\s*=\s*yes\s*$", content, re.M)) >= blocks, path
    xinetd = host.service("xinetd")
    assert not xinetd.is_running
    assert not xinetd.is_enabled
