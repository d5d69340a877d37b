"""Malformed input: the role must stop in validation, before any change, and name the
variable. One ansible-playbook run per target, over aliases of that target (one malformed
value each), through the docker connection.

The hardened files must come through unchanged: on the unhardened soft target, where
logrotate.conf has no maxsize yet, the first assertion fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

testinfra_hosts = ["targets"]

FILES = "/etc/logrotate.conf /etc/systemd/journald.conf.d/50-bastion.conf /etc/logwatch/conf/logwatch.conf"

# alias: (host vars, text the failure message must contain). Pure input checks: refused on any host.
CASES = {
    "size-with-space": ({"logging_max_size": "50 MB"}, "logging_max_size"),
    "size-with-newline": ({"logging_max_size": "50M\nrotate 0"}, "logging_max_size"),
    "journal-size-unit": ({"logging_journal_max_use": "200"}, "logging_journal_max_use"),
    "email-with-space": ({"logging_admin_email": "root admin"}, "logging_admin_email"),
    "policy-email-shell": ({"bastion_admin_email": "root;reboot"}, "bastion_admin_email"),
    "unknown-detail": ({"logging_logwatch_detail": "Max"}, "logging_logwatch_detail"),
    "unknown-protocol": ({"logging_remote_syslog_protocol": "relp"}, "logging_remote_syslog_protocol"),
    "remote-without-host": ({"logging_remote_syslog_enabled": True}, "logging_remote_syslog_host"),
    "remote-host-injection": (
        {"logging_remote_syslog_enabled": True, "logging_remote_syslog_host": 'logs" port="1'},
        "logging_remote_syslog_host",
    ),
    "port-out-of-range": ({"logging_remote_syslog_port": 70000}, "logging_remote_syslog_port"),
}


def fingerprint(host):
    # Content of the files and the entries of the directories (a new backup would show).
    return host.check_output(
        "sha256sum %s; ls -a /etc/rsyslog.d /etc/logrotate.d /etc/systemd/journald.conf.d /etc/logwatch/conf" % FILES
    )


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(host, tmp_path, SCENARIO, CASES, "LOG-", fingerprint, "grep -q '^maxsize' /etc/logrotate.conf")
