"""Malformed input: the role must stop in validation, before any change, and name the
variable. One ansible-playbook run per target, over aliases of that target (one malformed
value each), through the docker connection.

The hardened files must come through unchanged: on the unhardened soft target, where the
files are not the role's yet, the first assertion fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

testinfra_hosts = ["targets"]

FILES = "/etc/cups/cupsd.conf /etc/default/lpd /etc/hosts.lpd"

# alias: (host vars, text the failure message must contain)
CASES = {
    "plus-in-hosts-lpd": ({"printing_lpd_hosts": ["+"]}, "printing_lpd_hosts"),
    "newline-in-host": ({"printing_lpd_hosts": ["host1\n+"]}, "printing_lpd_hosts"),
    "bad-address-host": ({"printing_lpd_hosts": ["300.1.1.1"]}, "printing_lpd_hosts"),
    "netgroup-host": ({"printing_lpd_hosts": ["@everyone"]}, "printing_lpd_hosts"),
    "not-an-address": ({"printing_internal_addresses": ["127.0.0.1", "localhost"]}, "printing_internal_addresses"),
    "prefix-address": ({"bastion_internal_addresses": ["10.0.0.1/8"]}, "bastion_internal_addresses"),
    "listen-everywhere": ({"printing_cups_listen": ["0.0.0.0:631"]}, "printing_cups_listen"),
    "listen-no-port": ({"printing_cups_listen": ["127.0.0.1"]}, "printing_cups_listen"),
    "listen-port-range": (
        {"printing_internal_addresses": ["127.0.0.1"], "printing_cups_listen": ["127.0.0.1:70000"]},
        "printing_cups_listen",
    ),
    "unknown-mode": ({"printing_lpd_mode": "disable"}, "printing_lpd_mode"),
    "wrong-type": ({"printing_cups_browsing_enabled": "maybe"}, "printing_cups_browsing_enabled"),
}


def fingerprint(host):
    # Content of the files (missing ones too) and the entries of /etc, /etc/cups, /etc/default.
    return host.run("sha256sum %s; ls /etc /etc/cups /etc/default" % FILES).stdout


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(host, tmp_path, SCENARIO, CASES, "LPD-", fingerprint, "grep -qx 'Browsing No' /etc/cups/cupsd.conf")
