"""logging role on logrotate 3.18/3.21/3.22, rsyslog and logwatch (Debian 11, 12, 13): a log grown
past the cap is rotated by logrotate's ordinary run, the journal is capped, logwatch's daily job
mails its summary to the admin's mailbox, no log is readable by others (and the daemons still
write), the Debian 12 target forwards a logger line to the receiver on the --internal network,
and the audit's LOG checks fail on the soft target and pass now.

Every test fails on the stock soft target: no maxsize (a 60 MB dpkg.log waits for its monthly
rotation), journald's default cap, logwatch mailing root, dpkg.log 0644, no forwarding."""

import sys
import time
import uuid
from pathlib import Path

import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "shared"))

from audit_harness import assert_fail_then_pass  # noqa: E402

testinfra_hosts = ["targets"]

RECEIVER = "docker://bastion-log-rx"
MAILBOX = "/var/mail/sysadmin"
UTMP = "! -path /var/log/wtmp ! -path /var/log/lastlog ! -path /var/log/btmp"


def release(host):
    return host.ansible.get_variables()["inventory_hostname"][-2:]


def forwards(host):
    return host.ansible.get_variables().get("logging_remote_syslog_enabled", False)


def test_log_grown_past_the_cap_is_rotated(host):
    # Seed logrotate's state (a first run), then grow dpkg.log (monthly) past 50M: the next
    # ordinary run, not a forced one, must rotate it.
    host.check_output("logrotate /etc/logrotate.conf")
    host.check_output("rm -f /var/log/dpkg.log.1 && truncate -s 60M /var/log/dpkg.log")
    host.check_output("logrotate /etc/logrotate.conf")
    assert host.file("/var/log/dpkg.log.1").exists or host.file("/var/log/dpkg.log.1.gz").exists
    assert host.file("/var/log/dpkg.log").size < 50 * 1024 * 1024
    debug = host.run("logrotate -d /etc/logrotate.conf")
    assert debug.rc == 0, debug.stderr


def test_journal_is_capped(host):
    config = host.check_output("systemd-analyze cat-config systemd/journald.conf")
    assert "SystemMaxUse=200M" in config.splitlines()
    assert host.service("systemd-journald").is_running


def test_logwatch_mails_the_daily_summary_to_the_admin(host):
    before = host.run("grep -c '^Subject: Logwatch for' %s", MAILBOX).stdout.strip() or "0"
    host.check_output("/etc/cron.daily/00logwatch")
    for _attempt in range(30):
        now = host.run("grep -c '^Subject: Logwatch for' %s", MAILBOX).stdout.strip() or "0"
        if int(now) > int(before):
            break
        time.sleep(1)
    assert int(now) == int(before) + 1, host.run("tail -20 %s; tail -5 /var/log/exim4/mainlog", MAILBOX).stdout
    conf = host.file("/etc/logwatch/conf/logwatch.conf").content_string.splitlines()
    assert "MailTo = sysadmin" in conf and "Detail = Med" in conf and "Range = yesterday" in conf


def test_logs_are_private_and_still_written(host):
    loose = host.check_output("find /var/log -xdev -type f -perm /0137 " + UTMP)
    assert loose == "", loose
    assert host.check_output("find /var/log -xdev -type d -perm -0002 ! -perm -1000") == ""
    # rsyslog keeps writing (nothing changed owners or took the owner's write away).
    token = "bastion-verify-%s" % uuid.uuid4().hex
    host.check_output("logger -t bastion-verify %s", token)
    for _attempt in range(20):
        if host.run("grep -q %s /var/log/syslog", token).rc == 0:
            break
        time.sleep(0.5)
    assert host.run("grep -q %s /var/log/syslog", token).rc == 0
    # dpkg's stanza now creates the rotated log 0640.
    assert "create 0640 root root" in host.file("/etc/logrotate.d/dpkg").content_string


def test_remote_syslog_when_enabled(host):
    dropin = host.file("/etc/rsyslog.d/90-bastion-remote.conf")
    if not forwards(host):
        assert not dropin.exists
        return
    assert 'target="172.30.33.50"' in dropin.content_string
    check = host.run("rsyslogd -N1")
    assert check.rc == 0, check.stderr
    token = "bastion-remote-%s" % uuid.uuid4().hex
    host.check_output("logger -t bastion-verify %s", token)
    receiver = testinfra.get_host(RECEIVER)
    for _attempt in range(40):
        if receiver.run("grep -q %s /var/log/remote.log", token).rc == 0:
            break
        time.sleep(0.5)
    line = receiver.run("grep %s /var/log/remote.log", token).stdout
    assert "bastion-verify" in line and token in line, receiver.run("tail -5 /var/log/remote.log").stdout


def test_audit_ids_fail_before_and_pass_after(host):
    ids = ["LOG-01", "LOG-02", "LOG-03", "LOG-04"] + (["LOG-05"] if forwards(host) else [])
    assert_fail_then_pass(host, ids)
