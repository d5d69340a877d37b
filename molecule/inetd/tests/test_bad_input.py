"""Malformed input: the role must stop in validation, before any change, and name the
variable. One ansible-playbook run on one target, over aliases of it (one malformed value
each), through the docker connection.

inetd.conf must come through unchanged: on the unhardened soft target, where the file is not
the role's yet, the first assertion fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

testinfra_hosts = ["bastion-inetd-debian12"]

# alias: (host vars, text the failure message must contain)
CASES = {
    "space-in-service": ({"inetd_keep_services": ["telnet finger"]}, "inetd_keep_services"),
    "newline-in-service": (
        {"inetd_disable_services": ["telnet\nftp stream tcp nowait root /bin/sh sh"]},
        "inetd_disable_services",
    ),
    "hash-in-service": ({"inetd_wrap_exclude": ["#ftp"]}, "inetd_wrap_exclude"),
    "comma-string-not-list": ({"inetd_keep_services": "telnet,finger"}, "inetd_keep_services"),
    "number-not-list": ({"inetd_disable_services": 23}, "inetd_disable_services"),
    "relative-path": ({"inetd_tcpd_path": "usr/sbin/tcpd"}, "inetd_tcpd_path"),
    "newline-in-path": ({"inetd_conf_path": "/etc/inetd.conf\n/etc/passwd"}, "inetd_conf_path"),
    "shell-in-package": ({"inetd_purge_packages": ["telnetd; rm -rf /"]}, "inetd_purge_packages"),
    "not-a-boolean": ({"inetd_purge_packages_enabled": "perhaps"}, "inetd_purge_packages_enabled"),
}


def fingerprint(host):
    # Content of inetd.conf and the number of inetd.conf* entries (a new backup would show).
    return host.check_output("sha256sum /etc/inetd.conf; ls /etc | grep -c '^inetd\\.conf'")


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(host, tmp_path, SCENARIO, CASES, "INETD-", fingerprint, "grep -Eq '^#<off># +daytime' /etc/inetd.conf")
