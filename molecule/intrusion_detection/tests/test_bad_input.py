"""Malformed input: the role must stop in validation, before any change, and name the
variable. One ansible-playbook run per target, over aliases of that target (one malformed
value each), through the docker connection.

The hardened files must come through unchanged: on the unhardened soft target, where the
rkhunter drop-in is not there yet, the first assertion fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

testinfra_hosts = ["targets"]

FILES = "/etc/rkhunter.conf /etc/rkhunter.d/bastion.conf /etc/default/rkhunter"


def allow(**entry):
    return {"intrusion_detection_rkhunter_allow": [entry]}


# alias: (host vars, text the failure message must contain). Pure input checks: refused on any host.
CASES = {
    "space-in-email": ({"intrusion_detection_admin_email": "root admin"}, "intrusion_detection_admin_email"),
    "shell-in-policy-email": ({"bastion_admin_email": 'root"; touch /tmp/x; "'}, "bastion_admin_email"),
    "nice-out-of-range": ({"intrusion_detection_nice": 25}, "intrusion_detection_nice"),
    "toggle-not-bool": ({"intrusion_detection_rebaseline": "sometimes"}, "intrusion_detection_rebaseline"),
    "allow-not-list": (
        {"intrusion_detection_rkhunter_allow": "/usr/bin/lwp-request"},
        "intrusion_detection_rkhunter_allow",
    ),
    "allow-disable-tests": (
        allow(option="DISABLE_TESTS", path="/ALL", reason="quiet"),
        "intrusion_detection_rkhunter_allow[0]: option",
    ),
    "allow-relative-path": (
        allow(option="SCRIPTWHITELIST", path="usr/bin/lwp-request", reason="a perl script"),
        "intrusion_detection_rkhunter_allow[0]: path",
    ),
    "allow-newline-in-path": (
        allow(option="ALLOWHIDDENDIR", path="/etc/.git\nDISABLE_TESTS=ALL", reason="etckeeper"),
        "intrusion_detection_rkhunter_allow[0]: path",
    ),
    "allow-wildcard-outside-dev": (
        allow(option="ALLOWHIDDENFILE", path="/etc/*", reason="everything"),
        "intrusion_detection_rkhunter_allow[0]: path",
    ),
    "allow-without-reason": (
        allow(option="ALLOWHIDDENDIR", path="/etc/.git"),
        "intrusion_detection_rkhunter_allow[0]: reason",
    ),
}


def fingerprint(host):
    # Content of the files and the entries of rkhunter.d (a new backup would show).
    return host.check_output("sha256sum %s; ls -a /etc/rkhunter.d /etc/default" % FILES)


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(host, tmp_path, SCENARIO, CASES, "IDS-", fingerprint, "test -f /etc/rkhunter.d/bastion.conf")
