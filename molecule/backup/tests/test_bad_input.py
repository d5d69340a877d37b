"""Malformed input: the role must stop in validation, before any change, and name the variable.
One ansible-playbook run per target, over aliases of that target (one malformed value each),
through the docker connection. Every case is a pure input check: refused on any host.

The backup's files must come through unchanged: on the soft target, where there is no backup
script yet, the first assertion fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

# Pure input checks: one host is enough (the reliability suite runs CASES on other hosts too).
testinfra_hosts = ["bastion-bak-12"]

PASS = "a-good-passphrase-of-some-length"
LOCAL = {"backup_repository": "/srv/backup/borg", "backup_passphrase": PASS}

# alias: (host vars, text the failure message must contain)
CASES = {
    "relative-repository": ({"backup_repository": "srv/backup"}, "backup_repository"),
    "shell-in-repository": ({"backup_repository": "/srv/backup;touch /tmp/x"}, "backup_repository"),
    "ssh-without-user": ({"backup_repository": "ssh://172.30.34.50/srv/borg/h"}, "backup_repository"),
    "repository-is-etc": ({"backup_repository": "/etc", "backup_passphrase": PASS}, "backup_repository"),
    "repository-in-backed-up-path": (
        dict(LOCAL, backup_repository="/srv/data/borg", backup_paths=["/srv/data"]),
        "backup_repository",
    ),
    "short-passphrase": ({"backup_repository": "/srv/backup/borg", "backup_passphrase": "short"}, "backup_passphrase"),
    "two-line-passphrase": (dict(LOCAL, backup_passphrase=PASS + "\nsecond"), "backup_passphrase"),
    "path-with-space": ({"backup_paths": ["/srv/my data"]}, "backup_paths"),
    "relative-path": ({"backup_paths": ["srv/data"]}, "backup_paths"),
    "paths-not-a-list": ({"backup_paths": "/srv/data"}, "backup_paths"),
    "exclude-with-quote": ({"backup_exclude": ["/srv/'x"]}, "backup_exclude"),
    "prune-everything": (
        {"backup_keep_daily": 0, "backup_keep_weekly": 0, "backup_keep_monthly": 0},
        "backup_keep_daily",
    ),
    "negative-keep": ({"backup_keep_weekly": -1}, "backup_keep_weekly"),
    "newline-in-schedule": ({"backup_schedule": "daily\nExecStartPre=/bin/sh"}, "backup_schedule"),
    "four-cron-fields": ({"backup_cron_schedule": "15 3 * *"}, "backup_cron_schedule"),
    "bad-admin-email": ({"bastion_admin_email": "root; rm -rf /"}, "bastion_admin_email"),
    "server-for-local-repository": (dict(LOCAL, backup_repository_host="bastion-bak-repo"), "backup_repository_host"),
    "two-line-known-host": (
        {"backup_ssh_known_hosts": ["h ssh-ed25519 AAAA\nh2 ssh-rsa BBBB"]},
        "backup_ssh_known_hosts",
    ),
}


def fingerprint(host):
    # The settings, the script, the units and the status files (a new backup file would show).
    return host.check_output(
        "sha256sum /etc/bastion/backup/* /usr/local/sbin/bastion-backup /etc/systemd/system/bastion-backup*"
        " /var/lib/bastion/backup/*; ls -a /etc/bastion/backup /usr/local/sbin"
    )


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(host, tmp_path, SCENARIO, CASES, "BACKUP-", fingerprint, "test -x /usr/local/sbin/bastion-backup")
