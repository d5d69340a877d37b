"""The backup role on Debian 11/12 (SSH repository on bastion-bak-repo) and 13 (local repository):
timers, an archive per run, an encrypted repository, retention, a restore compared by checksum,
the passphrase kept out of Ansible's output, and a failed run that fails its unit and mails the admin.
Every test fails on the soft target, which has no backup at all."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from audit_harness import assert_fail_then_pass  # noqa: E402

testinfra_hosts = ["targets"]

CONF = "/etc/bastion/backup/backup.conf"
# borg with the role's settings (repository, passphrase command, ssh options), as root.
BORG = "sh -c 'set -a; . %s; exec borg \"$@\"' borg" % CONF


def borg(host, *args, check=True):
    cmd = host.run(BORG + " " + " ".join(args))
    if check:
        assert cmd.rc == 0, (args, cmd.stdout, cmd.stderr)
    return cmd


def archives(host):
    return borg(host, "list", "--short").stdout.split()


def test_timers_enabled_and_scheduled(host):
    for timer, calendar in (
        ("bastion-backup.timer", "*-*-* 03:15:00"),
        ("bastion-backup-check.timer", "Sun *-*-* 05:15:00"),
    ):
        unit = host.file("/etc/systemd/system/" + timer)
        assert unit.exists and "OnCalendar=%s\n" % calendar in unit.content_string, timer
        assert host.service(timer).is_enabled and host.service(timer).is_running, timer
        nxt = host.check_output("systemctl show -p NextElapseUSecRealtime --value %s" % timer)
        assert nxt.strip() not in ("", "0", "n/a"), (timer, nxt)


def test_secrets_and_script_root_only(host):
    for path, mode in (
        ("/etc/bastion/backup", 0o700),
        ("/etc/bastion/backup/passphrase", 0o600),
        (CONF, 0o600),
        ("/usr/local/sbin/bastion-backup", 0o700),
        ("/var/lib/bastion/backup", 0o700),
    ):
        f = host.file(path)
        assert f.exists and f.user == "root" and f.group == "root" and f.mode == mode, (path, oct(f.mode))


def test_retention_settings(host):
    conf = host.file(CONF).content_string
    for line in ("KEEP_DAILY=2", "KEEP_WEEKLY=1", "KEEP_MONTHLY=1"):
        assert re.search("^%s$" % line, conf, re.M), line
    script = host.file("/usr/local/sbin/bastion-backup").content_string
    assert '--keep-daily "$KEEP_DAILY" --keep-weekly "$KEEP_WEEKLY" --keep-monthly "$KEEP_MONTHLY"' in script


def test_repository_encrypted(host):
    info = borg(host, "info").stdout
    assert re.search(r"^Encrypted: Yes \(repokey BLAKE2b\)$", info, re.M), info
    # Without the passphrase the repository cannot be read.
    wrong = host.run(
        "sh -c 'set -a; . %s; unset BORG_PASSCOMMAND; BORG_PASSPHRASE=not-the-passphrase exec borg list'" % CONF
    )
    assert wrong.rc != 0 and "passphrase" in (wrong.stdout + wrong.stderr).lower(), wrong.stderr
    status = host.file("/var/lib/bastion/backup/repository").content_string
    assert "encryption=repokey BLAKE2b" in status


def test_local_repository_holds_no_plaintext(host):
    """The local repository (Debian 13): the data files do not contain the backed-up text."""
    variables = host.ansible.get_variables()
    if variables["backup_repository"].startswith("ssh://"):
        pytest.skip("SSH repository: see test_ssh_key_only_serves_borg")
    token = host.check_output("sed -n 's/^token = //p' /srv/data/app.conf")
    assert token
    assert host.run("grep -rqF %s %s" % (token, variables["backup_repository"])).rc == 1
    assert host.file(variables["backup_repository"] + "/config").exists


def test_ssh_key_only_serves_borg(host):
    """The host's key on the repository server runs `borg serve` for its own repository, nothing else."""
    variables = host.ansible.get_variables()
    if not variables["backup_repository"].startswith("ssh://"):
        pytest.skip("local repository")
    ssh = (
        "ssh -i /etc/bastion/backup/id_ed25519 -o BatchMode=yes -o StrictHostKeyChecking=yes"
        " -o UserKnownHostsFile=/etc/bastion/backup/known_hosts borg@172.30.34.50"
    )
    shell = host.run(ssh + " id")
    assert "uid=" not in shell.stdout, shell.stdout
    other = host.run(
        BORG.replace("exec borg", "BORG_REPO=ssh://borg@172.30.34.50/srv/borg/elsewhere exec borg")
        + " init -e repokey-blake2"
    )
    assert other.rc != 0, other.stdout


def test_service_creates_archive_and_prunes(host):
    """Five older archives of this host (2019, one a month), then a run of the service: a new
    archive, and prune keeps daily 2 (the new one, May), weekly 1 (April: this week's first
    archive is kept already), monthly 1 (March); converge's archive, February and January go."""
    name = host.ansible.get_variables()["inventory_hostname"]
    first = archives(host)
    assert len(first) == 1, first  # the first backup, backup_run_now at converge
    old = ["%s-2019-%02d-15T12:00:00" % (name, month) for month in range(1, 6)]
    for archive in old:
        borg(host, "create", "--timestamp", archive[len(name) + 1 :], "::" + archive, "/etc/hostname")
    stamp = host.file("/var/lib/bastion/backup/last-success").content_string
    run = host.run("systemctl start bastion-backup.service")
    assert run.rc == 0, host.run("journalctl -u bastion-backup.service -n 40 --no-pager").stdout
    after = archives(host)
    new = [a for a in after if a not in first + old]
    assert len(new) == 1, after
    assert after == old[2:] + new, (first, after)
    status = host.file("/var/lib/bastion/backup/last-success").content_string
    assert status != stamp and "archive=%s\n" % new[0] in status
    check = host.run("systemctl start bastion-backup-check.service")
    assert check.rc == 0, host.run("journalctl -u bastion-backup-check.service -n 40 --no-pager").stdout


def test_restore_by_checksum(host):
    latest = archives(host)[-1]
    original = host.check_output("sha256sum /srv/data/app.conf /etc/passwd")
    listing = borg(host, "list", "--short", "::" + latest, "srv/data").stdout.split()
    assert "srv/data/app.conf" in listing and "srv/data/scratch.tmp" not in listing, listing
    host.check_output("rm -f /srv/data/app.conf")
    assert not host.file("/srv/data/app.conf").exists
    restore = host.run("cd / && " + BORG + " extract ::" + latest + " srv/data/app.conf etc/passwd")
    assert restore.rc == 0, restore.stderr
    assert host.check_output("sha256sum /srv/data/app.conf /etc/passwd") == original


def _playbook(host, tmp_path, passphrase, *args):
    """converge.yml on this host (and the repository server for delegation) with -vvv and ARGS."""
    variables = host.ansible.get_variables()
    name = variables["inventory_hostname"]
    keys = [k for k in variables if k.startswith("backup_") or k == "bastion_admin_email"]
    hostvars = {k: variables[k] for k in keys}
    hostvars.update(backup_passphrase=passphrase, ansible_connection="community.docker.docker")
    inventory = {
        "all": {
            "children": {
                "targets": {"hosts": {name: hostvars}},
                "repo": {"hosts": {"bastion-bak-repo": {"ansible_connection": "community.docker.docker"}}},
            }
        }
    }
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory))
    binary = shutil.which("ansible-playbook", path=str(Path(sys.executable).parent)) or "ansible-playbook"
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_PIPELINING="True")
    proc = subprocess.run(
        [binary, "-i", str(path), str(SCENARIO / "converge.yml"), "-vvv", *args],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=300,
    )
    return proc


def test_passphrase_never_in_output(host, tmp_path):
    """-vvv --check --diff with a new passphrase (the file would change), then -vvv for real with the
    scenario's: neither passphrase appears in stdout or stderr."""
    variables = host.ansible.get_variables()
    if variables["inventory_hostname"] != "bastion-bak-11":
        pytest.skip("one host is enough (the SSH layout, with delegation): each run takes a while")
    real = variables["backup_passphrase"]
    sentinel = "Sentinel-Borg-Passphrase-51c7e0"
    check = _playbook(host, tmp_path, sentinel, "--check", "--diff")
    assert check.returncode == 0, check.stdout[-3000:]
    assert re.search(r"changed=[1-9]", check.stdout), "the new passphrase reached no task"
    apply = _playbook(host, tmp_path, real, "--diff")
    assert apply.returncode == 0, apply.stdout[-3000:]
    for proc in (check, apply):
        for secret in (sentinel, real):
            assert secret not in proc.stdout and secret not in proc.stderr, "passphrase in the output"
    assert host.file("/etc/bastion/backup/passphrase").content_string == real + "\n"


def test_failed_backup_fails_unit_and_mails_admin(host):
    """The repository unreachable (SSH: a closed port on the server; local: a missing path): the
    unit fails and the admin gets a mail with borg's error."""
    variables = host.ansible.get_variables()
    repo = variables["backup_repository"]
    broken = repo.replace("172.30.34.50/", "172.30.34.50:2222/") if repo.startswith("ssh://") else "/srv/backup/gone"
    mailbox = "/var/mail/admin"
    mails = host.run("grep -c '^Subject: .*bastion-backup create FAILED' %s" % mailbox).stdout.strip() or "0"
    host.check_output("cp -p %s /root/backup.conf.saved" % CONF)
    try:
        host.check_output("sed -i 's|^BORG_REPO=.*|BORG_REPO=%s|' %s" % (broken, CONF))
        run = host.run("systemctl start bastion-backup.service")
        assert run.rc != 0
        assert host.run("systemctl is-failed bastion-backup.service").stdout.strip() == "failed"
        box = ""
        for _attempt in range(20):
            box = host.run("cat %s" % mailbox).stdout
            if box.count("bastion-backup create FAILED") > int(mails):
                break
            host.run("sleep 0.5")
        assert box.count("bastion-backup create FAILED") > int(mails), box[-2000:]
        assert broken in box
    finally:
        host.check_output("cp -p /root/backup.conf.saved %s && rm -f /root/backup.conf.saved" % CONF)
        host.run("systemctl reset-failed bastion-backup.service")


def test_audit_fails_before_and_passes_after(host):
    assert_fail_then_pass(host, ["BACKUP-01", "BACKUP-02"])
