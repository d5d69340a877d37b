# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LOG checks on the logrotate, journald and rsyslog files of stock Debian 11, 12 and 13 (captured
from containers with logrotate, rsyslog, exim4, samba and rkhunter installed), and on what the
logging role writes."""

from __future__ import annotations

import os
import shutil

import pytest
from ansible_collections.bastion.hardening.plugins.module_utils.audit import logs
from audit_helpers import AUDIT, make_ctx

LOGS = AUDIT / "logs"
RELEASES = ("debian11", "debian12", "debian13")
OPTIONS = {"log_size_threshold_mb": 100}


def stock_logrotate(tmp_path, release, cap=None):
    """The release's logrotate.conf and logrotate.d in TMP_PATH, the include pointing there; CAP
    inserted before the include as the logging role does."""
    conf_dir = tmp_path / release
    shutil.copytree(LOGS / release / "logrotate.d", conf_dir / "logrotate.d")
    text = (LOGS / release / "logrotate.conf").read_text()
    include = "include %s" % (conf_dir / "logrotate.d")
    text = text.replace("include /etc/logrotate.d", ((cap + "\n") if cap else "") + include)
    (conf_dir / "logrotate.conf").write_text(text)
    return str(conf_dir / "logrotate.conf")


@pytest.mark.parametrize(
    "text, size", [("100", 100), ("50k", 51200), ("50M", 52428800), ("1G", 1073741824), ("5x", None)]
)
def test_parse_size(text, size):
    assert logs.parse_size(text) == size


@pytest.mark.parametrize("release", RELEASES)
def test_stock_logrotate_has_no_cap(tmp_path, release):
    conf = stock_logrotate(tmp_path, release)
    stanzas = logs.parse_logrotate(conf)
    patterns = [p for _src, ps, _cap in stanzas for p in ps]
    # rsyslog's stanza lists its files on the lines before '{'; scripts with braces are skipped.
    assert "/var/log/syslog" in patterns and "/var/log/auth.log" in patterns
    assert "/var/log/dpkg.log" in patterns
    # exim4's paniclog stanza has its own 'size 10M'; the others have no cap.
    caps = {p: cap for _src, ps, cap in stanzas for p in ps}
    assert caps.pop("/var/log/exim4/paniclog") == 10485760
    assert set(caps.values()) == {None}
    result = logs.log_01_rotation_capped(make_ctx(OPTIONS, packages={"logrotate": "3.21.0-1"}), conf)
    assert result.status == "fail"
    assert any("/var/log/syslog" in e and "no size or maxsize" in e for e in result.evidence)


@pytest.mark.parametrize("release", RELEASES)
def test_global_maxsize_caps_every_stanza(tmp_path, release):
    conf = stock_logrotate(tmp_path, release, cap="maxsize 50M")
    result = logs.log_01_rotation_capped(make_ctx(OPTIONS, packages={"logrotate": "3.21.0-1"}), conf)
    assert result.status == "pass", result.evidence
    assert "50 MiB" in result.evidence[0]


def test_cap_above_the_threshold_fails(tmp_path):
    conf = stock_logrotate(tmp_path, "debian12", cap="maxsize 500M")
    result = logs.log_01_rotation_capped(make_ctx(OPTIONS, packages={"logrotate": "3.21.0-1"}), conf)
    assert result.status == "fail"
    assert any("500 MiB > 100 MB" in e for e in result.evidence)


def test_a_stanza_size_overrides_and_a_global_after_the_stanza_does_not_count(tmp_path):
    conf = tmp_path / "logrotate.conf"
    conf.write_text(
        "/var/log/a.log {\n\tsize 10M\n\tpostrotate\n\t\tif true; then { echo; }; fi\n\tendscript\n}\n"
        "/var/log/b.log {\n\tweekly\n}\nmaxsize 20M\n"
    )
    stanzas = logs.parse_logrotate(str(conf))
    assert stanzas == [(str(conf), ["/var/log/a.log"], 10485760), (str(conf), ["/var/log/b.log"], None)]


def test_logrotate_missing_fails(tmp_path):
    result = logs.log_01_rotation_capped(make_ctx(OPTIONS, packages={}), str(tmp_path / "none"))
    assert result.status == "fail" and "not installed" in result.evidence[0]


@pytest.mark.parametrize("release", RELEASES)
def test_stock_journald_is_not_capped(tmp_path, release):
    binary = tmp_path / "systemd-journald"
    binary.write_text("")
    result = logs.log_02_journal_capped(make_ctx(OPTIONS), str(LOGS / release / "journald.conf"), (), (str(binary),))
    assert result.status == "fail" and "SystemMaxUse is not set" in result.evidence[0]


def test_journald_dropin_caps_and_later_names_win(tmp_path):
    binary = tmp_path / "systemd-journald"
    binary.write_text("")
    usr, etc = tmp_path / "usr", tmp_path / "etc"
    usr.mkdir()
    etc.mkdir()
    (usr / "60-vendor.conf").write_text("[Journal]\nSystemMaxUse=2G\n")
    (etc / "50-bastion.conf").write_text("# bastion\n[Journal]\nSystemMaxUse=200M\n")
    # The vendor's 60- comes after the site's 50-: it wins.
    result = logs.log_02_journal_capped(
        make_ctx(OPTIONS), str(LOGS / "debian12" / "journald.conf"), (str(usr), str(etc)), (str(binary),)
    )
    assert result.status == "pass" and "SystemMaxUse=2G" in result.evidence[0]
    (etc / "60-vendor.conf").write_text("[Journal]\nSystemMaxUse=100M\n")  # same name in /etc hides it
    result = logs.log_02_journal_capped(
        make_ctx(OPTIONS), str(LOGS / "debian12" / "journald.conf"), (str(usr), str(etc)), (str(binary),)
    )
    assert "SystemMaxUse=100M" in result.evidence[0]
    assert (
        logs.log_02_journal_capped(make_ctx(OPTIONS), "/nonexistent", (), (str(tmp_path / "no"),)).status
        == "not_applicable"
    )


def write_logwatch(tmp_path, conf_text, cron_mode=0o755):
    conf, cron = tmp_path / "logwatch.conf", tmp_path / "00logwatch"
    conf.write_text(conf_text)
    cron.write_text("#!/bin/bash\n/usr/sbin/logwatch --output mail\n")
    os.chmod(cron, cron_mode)
    return str(conf), str(cron)


def test_logwatch(tmp_path):
    ctx = make_ctx(OPTIONS, packages={"logwatch": "7.7-1"})
    conf, cron = write_logwatch(tmp_path, "# stock: empty\n")
    result = logs.log_03_logwatch_mails(ctx, conf, cron)
    assert result.status == "fail" and "MailTo is not set" in result.evidence[0]
    conf, cron = write_logwatch(tmp_path, "MailTo = sysadmin\nDetail = Med\nRange = yesterday\n")
    result = logs.log_03_logwatch_mails(ctx, conf, cron)
    assert result.status == "pass" and "MailTo = sysadmin, Detail = Med, Range = yesterday" in result.evidence[0]
    conf, cron = write_logwatch(tmp_path, "MailTo = sysadmin\n", cron_mode=0o644)
    assert logs.log_03_logwatch_mails(ctx, conf, cron).status == "fail"
    assert logs.log_03_logwatch_mails(make_ctx(OPTIONS, packages={}), conf, cron).status == "fail"


def make_log(path, mode, text="x\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)


def test_var_log_permissions(tmp_path):
    make_log(tmp_path / "syslog", 0o640)
    make_log(tmp_path / "wtmp", 0o664)
    make_log(tmp_path / "exim4" / "mainlog", 0o640)
    ctx = make_ctx(OPTIONS)
    result = logs.log_04_permissions(ctx, str(tmp_path))
    assert result.status == "pass", result.evidence
    make_log(tmp_path / "dpkg.log", 0o644)  # Debian's default for dpkg.log, alternatives.log
    make_log(tmp_path / "apt" / "wtmp", 0o664)  # the exception holds for /var/log/wtmp only
    result = logs.log_04_permissions(ctx, str(tmp_path))
    assert result.status == "fail"
    assert sorted(result.evidence) == sorted(
        ["%s: 0644 (at most 0640)" % (tmp_path / "dpkg.log"), "%s: 0664 (at most 0640)" % (tmp_path / "apt" / "wtmp")]
    )


def test_apt_history_keeps_debians_mode(tmp_path):
    # apt rewrites history.log and eipp.log.xz 0644 on every run: accepted, like the login records;
    # its term.log (0640 root:adm) and any other file under apt/ are held to 0640.
    make_log(tmp_path / "apt" / "history.log", 0o644)
    make_log(tmp_path / "apt" / "eipp.log.xz", 0o644)
    ctx = make_ctx(OPTIONS)
    assert logs.log_04_permissions(ctx, str(tmp_path)).status == "pass"
    make_log(tmp_path / "apt" / "term.log", 0o644)
    result = logs.log_04_permissions(ctx, str(tmp_path))
    assert result.status == "fail"
    assert result.evidence == ["%s: 0644 (at most 0640)" % (tmp_path / "apt" / "term.log")]


def test_world_writable_log_dir(tmp_path):
    (tmp_path / "app").mkdir()
    os.chmod(tmp_path / "app", 0o777)
    result = logs.log_04_permissions(make_ctx(OPTIONS), str(tmp_path))
    assert result.status == "fail" and "writable by others" in result.evidence[0]


@pytest.mark.parametrize("release", RELEASES)
def test_stock_rsyslog_forwards_nothing(tmp_path, release):
    ctx = make_ctx(OPTIONS, packages={"rsyslog": "8"})
    result = logs.log_05_remote_syslog(ctx, str(LOGS / release / "rsyslog.conf"), str(tmp_path))
    assert result.status == "warn"


@pytest.mark.parametrize(
    "line, target",
    [
        ("*.* @@172.30.33.50:514", "172.30.33.50:514"),
        ("*.*;auth,authpriv.none @logs.example.org", "logs.example.org"),
        ("*.* @@(o)[2001:db8::5]:6514", "[2001:db8::5]:6514"),
        ('*.* action(type="omfwd" target="172.30.33.50" port="514" protocol="tcp")', "172.30.33.50"),
        ('action(target="10.0.0.5"\n       type="omfwd" protocol="udp")', "10.0.0.5"),
    ],
)
def test_forwarding_found(tmp_path, line, target):
    dropin = tmp_path / "rsyslog.d"
    dropin.mkdir()
    (dropin / "90-bastion-remote.conf").write_text("# forward\n%s\n" % line)
    (dropin / "ignored.disabled").write_text("*.* @@10.9.9.9\n")
    ctx = make_ctx(OPTIONS, packages={"rsyslog": "8"})
    result = logs.log_05_remote_syslog(ctx, str(LOGS / "debian12" / "rsyslog.conf"), str(dropin))
    assert result.status == "pass"
    assert result.evidence == ["%s: forwards to %s" % (dropin / "90-bastion-remote.conf", target)]


def test_commented_forwarding_and_no_rsyslog(tmp_path):
    conf = tmp_path / "rsyslog.conf"
    conf.write_text('#*.* @@172.30.33.50:514\n# action(type="omfwd" target="1.2.3.4")\n*.* /var/log/syslog\n')
    assert (
        logs.log_05_remote_syslog(make_ctx(OPTIONS, packages={"rsyslog": "8"}), str(conf), str(tmp_path / "no")).status
        == "warn"
    )
    assert logs.log_05_remote_syslog(make_ctx(OPTIONS, packages={}), str(conf), str(tmp_path / "no")).status == "warn"
