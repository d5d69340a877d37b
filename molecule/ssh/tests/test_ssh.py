"""ssh role on OpenSSH (Debian 11: 8.4, 12: 9.2, 13: 10.x): the effective configuration
(sshd -T), what an SSH client on the --internal test network gets (old algorithms refused, a
modern client let in up to and through key authentication, passwords not offered, an account
outside AllowUsers refused), the listening sockets and a reload that kept sshd's PID.

Every test fails on the unhardened soft target (prepare proves the client logs in as root with
aes128-cbc, hmac-sha1 and diffie-hellman-group1-sha1): it permits root with a password, offers
CBC ciphers, SHA-1 MACs and key exchanges, lets bob in and listens on every address."""

import sys
from pathlib import Path

import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "shared"))

from audit_harness import assert_fail_then_pass  # noqa: E402

testinfra_hosts = ["targets"]

CLIENT = "docker://bastion-host-client"
SSH = "ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5"

# What the role writes, per OpenSSH: its preference lists filtered by ssh -Q, order kept.
CIPHERS = "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr"
MACS = "hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com"
KEX_TAIL = [
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group-exchange-sha256",
]
KEX = {
    "11": KEX_TAIL,
    "12": ["sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com"] + KEX_TAIL,
    "13": ["mlkem768x25519-sha256", "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com"] + KEX_TAIL,
}


def release(host):
    return host.ansible.get_variables()["inventory_hostname"][-2:]


def address(host):
    return "172.30.22.%s" % release(host)


def effective(host):
    lines = host.check_output("/usr/sbin/sshd -T").splitlines()
    values = {}
    for line in lines:
        key, _sep, value = line.partition(" ")
        values.setdefault(key, []).append(value)
    return values


def client(host, options, user="root"):
    return testinfra.get_host(CLIENT).run("%s %s %s@%s id -un" % (SSH, options, user, address(host)))


def test_effective_configuration(host):
    values = effective(host)
    assert values["permitrootlogin"] == ["without-password"]  # root is the connecting user: key-only
    assert values["passwordauthentication"] == ["no"]
    assert values["kbdinteractiveauthentication"] == ["no"]
    assert values["permitemptypasswords"] == ["no"]
    assert values["x11forwarding"] == ["no"]
    assert values["maxauthtries"] == ["3"]
    assert values["logingracetime"] == ["30"]
    assert values["loglevel"] == ["VERBOSE"]
    assert values["allowusers"] == ["alice", "root"]
    assert values["allowgroups"] == ["sshusers", "root"]
    assert values["listenaddress"] == ["127.0.0.1:22", "%s:22" % address(host)]


def test_algorithms_per_openssh_version(host):
    values = effective(host)
    assert values["ciphers"] == [CIPHERS]
    assert values["macs"] == [MACS]
    assert values["kexalgorithms"] == [",".join(KEX[release(host)])]


def test_dropin_is_first_and_backed_up_by_a_check(host):
    dropin = host.file("/etc/ssh/sshd_config.d/50-bastion.conf")
    assert (dropin.user, dropin.group, dropin.mode) == ("root", "root", 0o644)
    assert dropin.contains("^PermitRootLogin prohibit-password$")
    assert host.file("/usr/local/sbin/bastion-sshd-check").mode == 0o755


def test_old_cipher_refused_by_the_same_sshd(host):
    # Reloaded, not restarted: the sshd that refuses now is the one prepare started.
    result = client(host, "-c aes128-cbc")
    assert result.rc != 0 and "no matching cipher" in result.stderr, result.stderr
    before = host.file("/var/tmp/bastion-sshd-pid").content_string.strip()
    assert host.check_output("systemctl show -p MainPID --value ssh.service") == before


def test_old_mac_refused(host):
    result = client(host, "-c aes128-ctr -m hmac-sha1")
    assert result.rc != 0 and "no matching MAC" in result.stderr, result.stderr


def test_old_kex_refused(host):
    for kex in ("diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1"):
        result = client(host, "-o KexAlgorithms=%s" % kex)
        assert result.rc != 0 and "no matching key exchange" in result.stderr, (kex, result.stderr)


def test_modern_client_logs_in_with_a_key_as_the_connecting_user_and_alice(host):
    for user in ("root", "alice"):
        result = client(host, "", user)
        assert result.rc == 0 and result.stdout.strip() == user, (user, result.stderr)


def test_passwords_are_not_offered(host):
    result = client(host, "-o PreferredAuthentications=password,keyboard-interactive -o PubkeyAuthentication=no")
    assert result.rc != 0
    assert "Permission denied (publickey)." in result.stderr, result.stderr


def test_account_outside_allowusers_refused(host):
    # bob is in sshusers and has the client's key: AllowUsers alone keeps him out.
    result = client(host, "", "bob")
    assert result.rc != 0 and "Permission denied" in result.stderr, result.stderr


def test_listens_on_internal_addresses_only(host):
    listening = host.check_output("ss -H -ltn sport = :22")
    assert "127.0.0.1:22" in listening and "%s:22" % address(host) in listening
    assert "0.0.0.0:22" not in listening and "[::]:22" not in listening and "*:22" not in listening, listening


def test_audit_fails_before_and_passes_after(host):
    assert_fail_then_pass(host, ["SSH-01", "SSH-02", "SSH-03", "SSH-04", "SSH-06"])
