"""Malformed input: the role must stop in validation, before any change, and name the
variable. On the unhardened soft target the files are missing: the first assertion fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

testinfra_hosts = ["targets"]

FILES = "/etc/sysctl.d/90-bastion.conf /etc/modprobe.d/bastion-blacklist.conf"

CASES = {
    "wrong-type": ({"kernel_ipv6_enabled": "perhaps"}, "kernel_ipv6_enabled"),
    "unknown-ptrace-scope": ({"kernel_ptrace_scope": 0}, "kernel_ptrace_scope"),
    "unknown-ip-forward": ({"kernel_ip_forward": "off"}, "kernel_ip_forward"),
    "string-not-list": ({"kernel_blacklist_protocols": "dccp"}, "kernel_blacklist_protocols"),
    "newline-in-module": (
        {"kernel_blacklist_filesystems": ["udf\ninstall ext4 /bin/false"]},
        "kernel_blacklist_filesystems",
    ),
    "space-in-module": ({"kernel_blacklist_protocols": ["sctp /bin/sh"]}, "kernel_blacklist_protocols"),
    "number-as-module": ({"kernel_blacklist_protocols": [5]}, "kernel_blacklist_protocols"),
}


def fingerprint(host):
    return host.check_output("sha256sum %s; ls -a /etc/sysctl.d /etc/modprobe.d" % FILES)


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(host, tmp_path, SCENARIO, CASES, "KERN-", fingerprint, "test -f /etc/sysctl.d/90-bastion.conf")
