"""Malformed input: the role must stop in validation, before any change, and name the
variable. On the unhardened soft target the drop-in is missing: the first assertion fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

testinfra_hosts = ["targets"]

FILES = "/etc/apt/apt.conf.d/20auto-upgrades /etc/apt/apt.conf.d/52bastion-unattended-upgrades"

CASES = {
    "unknown-apply": ({"updates_apply": "everything"}, "updates_apply"),
    "unknown-action": ({"updates_verify_action": "ignore"}, "updates_verify_action"),
    "wrong-type-reboot": ({"updates_automatic_reboot": "perhaps"}, "updates_automatic_reboot"),
    "quote-in-origin": ({"updates_unattended_origins": ['origin=Debian";\nAPT::X "1']}, "updates_unattended_origins"),
    "empty-origins": ({"updates_unattended_origins": []}, "updates_unattended_origins"),
    "string-not-list": ({"updates_verify_allowed_extra": "/etc/foo"}, "updates_verify_allowed_extra"),
    "relative-allowed": ({"updates_verify_allowed_extra": ["etc/foo"]}, "updates_verify_allowed_extra"),
    "space-in-conffile": ({"updates_verify_conffiles": ["/etc/pam.d/* /etc"]}, "updates_verify_conffiles"),
    "bad-mail": ({"bastion_admin_email": 'root";\nUnattended-Upgrade::Automatic-Reboot "true'}, "bastion_admin_email"),
    "bad-reboot-time": ({"updates_automatic_reboot_time": "25:00"}, "updates_automatic_reboot_time"),
    "unknown-tool": ({"updates_verify_tool": "md5sum"}, "updates_verify_tool"),
}


def fingerprint(host):
    return host.check_output(
        "sha256sum %s; ls -a /etc/apt/apt.conf.d; dpkg-query -W bastion-dummy-sec bastion-dummy-reg" % FILES
    )


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(
        host,
        tmp_path,
        SCENARIO,
        CASES,
        "PATCH-",
        fingerprint,
        "test -f /etc/apt/apt.conf.d/52bastion-unattended-upgrades",
    )
