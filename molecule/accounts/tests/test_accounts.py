"""accounts role in containers (Debian 11, 12, 13), not privileged: everything the role does is
files and account databases, so a container proves it whole. su and passwd are run for real,
as the users, on a pseudo-terminal (bastion-pty, from prepare), with the users' passwords.

Every test fails on the unhardened soft target: su is open to all, weak passwords are taken,
login.defs is stock, no TMOUT, umask 022, system accounts with shells, an empty password, and
the ACCT audit checks fail."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "shared"))

from audit_harness import audit_before, audit_now  # noqa: E402

testinfra_hosts = ["targets"]

PASSWORDS = {"alice": "Alice-Admin-Pass-2024", "mallory": "Mallory-User-Pass-2024", "bob": "Bob-Target-Pass-2024"}
PTY = "python3 /usr/local/lib/bastion-pty.py"
IDS = ["ACCT-%02d" % n for n in range(1, 8)]


def variables(host):
    return host.ansible.get_variables()


def su_as(host, user, target):
    """USER runs `su -c id TARGET` and types TARGET's password."""
    return host.run("runuser -u %s -- " + PTY + " %s -- su -c 'id -un' %s", user, PASSWORDS[target], target)


def test_su_outside_the_group_is_refused(host):
    result = su_as(host, "mallory", "bob")
    # su asked for bob's password and refused mallory (pam_wheel), though the password is right.
    assert result.rc != 0 and "Password:" in result.stdout, (result.stdout, result.stderr)
    assert "Authentication failure" in result.stdout or "Permission denied" in result.stdout, result.stdout
    assert "bob" not in result.stdout.splitlines()[-1:], result.stdout


def test_su_inside_the_group_works(host):
    result = su_as(host, "alice", "bob")
    assert result.rc == 0, result.stdout
    assert result.stdout.splitlines()[-1].strip() == "bob", result.stdout
    assert host.group("wheel").exists and "alice" in host.group("wheel").members


def test_pam_su_line(host):
    lines = [line for line in host.file("/etc/pam.d/su").content_string.splitlines() if "pam_wheel" in line]
    active = [line for line in lines if not line.lstrip().startswith("#")]
    assert active == ["auth       required   pam_wheel.so use_uid group=wheel"], lines
    # Root keeps su (pam_rootok comes first).
    assert host.run("su -s /bin/sh -c 'id -un' bob").stdout.strip() == "bob"


def test_weak_password_refused(host):
    before = host.check_output("getent shadow bob | cut -d: -f2")
    # As root (enforce_for_root): chpasswd goes through PAM's password stack.
    result = host.run("echo 'bob:Xk9!short' | chpasswd")
    assert result.rc != 0, result.stdout + result.stderr
    assert host.check_output("getent shadow bob | cut -d: -f2") == before
    # As bob, with passwd on a terminal (bob's ageing is untouched: PASS_MIN_DAYS does not stop him).
    weak = " ".join(["'Xk9!short'"] * 4)
    result = host.run("runuser -u bob -- " + PTY + " %s " + weak + " -- passwd", PASSWORDS["bob"])
    assert result.rc != 0, result.stdout
    assert "BAD PASSWORD" in result.stdout and "shorter than 14" in result.stdout, result.stdout
    assert host.check_output("getent shadow bob | cut -d: -f2") == before


def test_strong_password_taken(host):
    # The same path takes a good password: the stack works, it does not refuse everything.
    strong = "Qx7-lantern-Orbit-92"
    result = host.run("runuser -u bob -- " + PTY + " %s %s %s -- passwd", PASSWORDS["bob"], strong, strong)
    try:
        assert result.rc == 0, result.stdout
    finally:
        host.run("echo 'bob:%s' | chpasswd", PASSWORDS["bob"])


def test_pwquality_files(host):
    conf = host.file("/etc/security/pwquality.conf.d/90-bastion.conf").content_string
    for line in ("minlen = 14", "minclass = 3", "maxrepeat = 3", "enforce_for_root"):
        assert line in conf.splitlines(), conf
    stack = host.file("/etc/pam.d/common-password").content_string
    assert [line for line in stack.splitlines() if "pam_pwquality" in line and not line.startswith("#")]
    assert host.run("/usr/local/sbin/bastion-pam-check /etc/pam.d/common-password").rc == 0


def test_login_defs(host):
    defs = {}
    for line in host.file("/etc/login.defs").content_string.splitlines():
        fields = line.split()
        if len(fields) >= 2 and not fields[0].startswith("#"):
            defs[fields[0]] = fields[1]
    assert (defs["PASS_MAX_DAYS"], defs["PASS_MIN_DAYS"], defs["PASS_WARN_AGE"], defs["UMASK"]) == (
        "365",
        "1",
        "14",
        "027",
    )


def test_existing_accounts_aged_only_when_asked(host):
    aged = variables(host).get("accounts_ageing_existing_enabled", False)
    lines = host.file("/var/tmp/bastion-shadow-before").content_string.splitlines()
    before = dict((line.split(":")[0], line.split(":")[3:6]) for line in lines)
    for user in ("alice", "mallory", "bob"):
        fields = host.check_output("getent shadow %s", user).split(":")
        # min, max, warn days: chage'd only where asked, and never for bob (exempt on that host).
        if aged and user != "bob":
            assert fields[3:6] == ["1", "365", "14"], (user, fields)
        else:
            assert fields[3:6] == before[user] == ["0", "99999", "7"], (user, fields)


def test_tmout_readonly_in_login_shell(host):
    result = host.run("runuser -l alice -c 'echo TMOUT=$TMOUT; unset TMOUT; echo after=$TMOUT'")
    assert result.stdout.split() == ["TMOUT=900", "after=900"], result.stdout
    assert "readonly" in result.stderr, result.stderr


def test_umask_in_login_shell(host):
    assert host.check_output("runuser -l alice -c umask") == "0027"


def test_system_account_shells(host):
    exempt = variables(host).get("bastion_exempt_system_account")
    assert host.user("daemon").shell == "/usr/sbin/nologin"
    assert host.user("legacyapp").shell == "/usr/sbin/nologin"
    assert host.user("backupsvc").shell == ("/bin/sh" if exempt == "backupsvc" else "/usr/sbin/nologin")
    assert host.user("root").shell == "/bin/bash"
    assert host.user("sync").shell == "/bin/sync"
    assert host.user("alice").shell == "/bin/bash"


def test_empty_password_locked(host):
    assert host.check_output("getent shadow emptyuser | cut -d: -f2") == "!"


def test_audit_fail_before_pass_after(host):
    before, params = audit_before(host)
    after = audit_now(host, IDS, params)
    for check_id in IDS:
        assert before[check_id]["status"] == "fail", ("before", check_id, before[check_id])
    exempt = variables(host).get("bastion_exempt_system_account")
    for check_id in IDS:
        if check_id == "ACCT-05" and exempt:
            # The audit does not know accounts_login_exempt: the kept shell is reported, and only it.
            assert after[check_id]["status"] == "fail", after[check_id]
            assert [e.split()[0] for e in after[check_id]["evidence"]] == [exempt], after[check_id]
        else:
            assert after[check_id]["status"] == "pass", ("after", check_id, after[check_id])
