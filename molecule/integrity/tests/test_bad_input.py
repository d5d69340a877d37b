"""Malformed input: the role must stop in validation, before any change, and name the
variable. On the unhardened soft target there is no baseline and no timer: the probe fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

testinfra_hosts = ["targets"]

FILES = (
    "/etc/aide/bastion-aide.conf /usr/local/sbin/bastion-integrity-init /usr/local/sbin/bastion-integrity-check"
    " /etc/systemd/system/bastion-integrity-check.service /etc/systemd/system/bastion-integrity-check.timer"
    " /var/lib/aide/aide.db /etc/tripwire/tw.cfg /etc/tripwire/tw.pol /var/lib/tripwire/bastion.twd"
)
HARDENED = (
    "grep -qs state=done /var/lib/aide/bastion-init.status /var/lib/tripwire/bastion-init.status"
    " && systemctl is-enabled bastion-integrity-check.timer"
)

CASES = {
    "wrong-type": ({"integrity_install_enabled": "perhaps"}, "integrity_install_enabled"),
    "unknown-tool": ({"integrity_tool": "samhain"}, "integrity_tool"),
    "relative-path": ({"integrity_extra_paths": ["srv/app/bin"]}, "integrity_extra_paths"),
    "space-in-path": ({"integrity_paths": ["/usr/bin /etc"]}, "integrity_paths"),
    "newline-in-exclude": (
        {"integrity_extra_exclude": ["/var/log\n/ p+sha256"]},
        "integrity_extra_exclude",
    ),
    "string-not-list": ({"integrity_extra_paths": "/srv"}, "integrity_extra_paths"),
    "option-in-attributes": (
        {"integrity_aide_attributes": "p+sha256\ndatabase_out=file:/etc/passwd"},
        "integrity_aide_attributes",
    ),
    "shell-in-recipient": ({"bastion_admin_email": "root;reboot"}, "bastion_admin_email"),
    "hour-out-of-range": ({"integrity_check_hour": 24}, "integrity_check_hour"),
    "wait-beyond-timeout": ({"integrity_init_wait": 99999}, "integrity_init_wait"),
    "tripwire-without-passphrase": ({"integrity_tool": "tripwire"}, "integrity_tripwire_site_passphrase"),
}


def fingerprint(host):
    # Files of the other tool are missing: their errors are part of the fingerprint.
    return host.run("sha256sum %s 2>&1; ls -a /var/lib/aide /etc/aide /var/lib/tripwire 2>&1" % FILES).stdout


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(
        host,
        tmp_path,
        SCENARIO,
        CASES,
        "INTEG-",
        fingerprint,
        HARDENED,
    )
