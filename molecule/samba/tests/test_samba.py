"""samba role on Debian 11, 12 and 13: what testparm makes of smb.conf, the sockets, and
clients refused: anonymous share lists from the --internal test network, SMB1 and guests
even on the host itself.

Every test fails on the unhardened soft target that prepare leaves: stock smb.conf plus a
guest share and server min protocol = NT1, smbd and nmbd on every address."""

import re
import sys
from pathlib import Path

import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "shared"))

from audit_harness import assert_fail_then_pass  # noqa: E402

testinfra_hosts = ["targets"]

CLIENT = "docker://bastion-smb-client"
CONF = "/etc/samba/smb.conf"
OUTSIDE_ADDRESS = "192.0.2.10"
SMB1 = "--option='client min protocol=NT1' --option='client max protocol=NT1'"


def parameter(host, name, section="global"):
    """The value smbd will use, defaults included, as testparm reports it."""
    return host.check_output(
        "testparm -s --section-name=%s --parameter-name='%s' %s 2>/dev/null" % (section, name, CONF)
    )


def test_testparm_accepts_the_file_without_warnings(host):
    out = host.run("testparm -s %s" % CONF)
    assert out.rc == 0, out.stderr
    assert not re.search(r"(?i)unknown parameter|ignoring|invalid", out.stderr), out.stderr
    # SMB-01 .. SMB-05 as testparm reads them (non-default values only).
    for line in (
        "bind interfaces only = Yes",
        "interfaces = lo 127.0.0.1",
        "hosts allow = 127.0.0.1 127.0.0.0/8",
        "hosts deny = ALL",
        "disable netbios = Yes",
        "restrict anonymous = 2",
    ):
        assert re.search(r"(?m)^\s*%s$" % re.escape(line), out.stdout), "%r not in testparm -s:\n%s" % (
            line,
            out.stdout,
        )


def test_effective_protocol_and_guest_settings(host):
    assert parameter(host, "server min protocol") == "SMB2_02"
    assert parameter(host, "map to guest") == "Never"
    assert parameter(host, "guest ok", "public") == "No"
    assert parameter(host, "hosts allow", "public") == "127.0.0.1"


def test_testparm_denies_an_outside_client(host):
    out = host.run("testparm -s %s outside %s" % (CONF, OUTSIDE_ADDRESS))
    assert "Deny connection from outside (%s)" % OUTSIDE_ADDRESS in out.stdout + out.stderr, out.stdout + out.stderr
    out = host.run("testparm -s %s localhost 127.0.0.1" % CONF)
    assert "Allow connection from localhost (127.0.0.1)" in out.stdout + out.stderr, out.stdout + out.stderr


def test_comments_kept_and_backup_made(host):
    text = host.file(CONF).content_string
    assert ";   interfaces = 127.0.0.0/8 eth0" in text
    assert "# BEGIN molecule prepare: guest share" in text
    assert host.run("ls /etc/samba | grep -E '^smb\\.conf\\..*~$'").rc == 0, "no backup of smb.conf"


def test_smbd_listens_on_loopback_only(host):
    assert host.service("smbd").is_running
    listeners = host.check_output("ss -H -ltn '( sport = :445 or sport = :139 )' | awk '{print $4}'").split()
    assert sorted(listeners) == ["127.0.0.1:139", "127.0.0.1:445"], listeners


def test_nmbd_stopped_no_netbios_ports(host):
    nmbd = host.service("nmbd")
    assert not nmbd.is_running
    assert not nmbd.is_enabled
    assert host.check_output("ss -H -lun '( sport = :137 or sport = :138 )'") == ""


def test_client_cannot_list_the_shares(host):
    name = host.ansible.get_variables()["inventory_hostname"]
    client = testinfra.get_host(CLIENT)
    out = client.run("smbclient -L //%s -N" % name)
    assert out.rc != 0, "the client listed the shares: %s" % out.stdout
    assert "public" not in out.stdout


def test_anonymous_list_refused_locally(host):
    out = host.run("smbclient -L //127.0.0.1 -N")
    assert out.rc != 0 and "public" not in out.stdout, out.stdout


def test_smb1_client_refused_locally(host):
    out = host.run("smbclient %s //127.0.0.1/public -N -c ls" % SMB1)
    assert out.rc != 0, "an SMB1 client got in: %s" % out.stdout


def test_guest_refused_on_the_guest_share(host):
    out = host.run("smbclient //127.0.0.1/public -N -c ls")
    assert out.rc != 0, "a guest listed the share: %s" % out.stdout
    assert re.search(r"NT_STATUS_(ACCESS_DENIED|LOGON_FAILURE)", out.stdout + out.stderr), out.stdout + out.stderr


def test_audit_checks_fail_before_and_pass_after(host):
    assert_fail_then_pass(host, ["SMB-01", "SMB-02", "SMB-03", "SMB-04", "SMB-05"])
