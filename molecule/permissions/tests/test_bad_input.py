"""Malformed input: the role must stop in validation, before any change, and name the
variable. On the unhardened soft target /etc/shadow is 0644: the first assertion fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

testinfra_hosts = ["targets"]

PATHS = (
    "/etc/shadow /etc/gshadow /etc/passwd /etc/group /etc/crontab /etc/ssh/sshd_config"
    " /etc/init.d/bastion-sysvd /usr/bin/at /usr/bin/chfn /srv/drop"
)

CASES = {
    "wrong-type": ({"permissions_shadow_enabled": "perhaps"}, "permissions_shadow_enabled"),
    "unknown-choice": ({"permissions_world_writable_files": "delete"}, "permissions_world_writable_files"),
    "string-not-list": ({"permissions_suid_remove": "/usr/bin/at"}, "permissions_suid_remove"),
    "relative-suid-path": ({"permissions_suid_remove": ["usr/bin/at"]}, "permissions_suid_remove"),
    "newline-in-init-dir": ({"permissions_init_dirs": ["/etc/init.d\n/etc"]}, "permissions_init_dirs"),
    "negative-budget": ({"permissions_walk_time_budget": -5}, "permissions_walk_time_budget"),
    "no-walk-root": ({"permissions_walk_roots": []}, "permissions_walk_roots"),
    "relative-report": ({"permissions_report_file": "report.json"}, "permissions_report_file"),
    "slash-in-boot-pattern": ({"permissions_boot_patterns": ["../etc/shadow"]}, "permissions_boot_patterns"),
    "policy-allowlist-relative": ({"bastion_suid_allowlist": ["passwd"]}, "bastion_suid_allowlist"),
}


def fingerprint(host):
    return host.check_output("stat -c '%%n %%a %%U %%G' %s; sha256sum /var/lib/bastion/permissions/report.json" % PATHS)


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(host, tmp_path, SCENARIO, CASES, "PERM-", fingerprint, "test $(stat -c %a /etc/shadow) = 640")
