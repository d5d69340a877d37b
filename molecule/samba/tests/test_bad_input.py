"""Malformed input: the role must stop in validation, before any change, and name the
variable. One ansible-playbook run per target, over aliases of that target (one malformed
value each), through the docker connection.

smb.conf must come through unchanged: on the unhardened soft target, where the file is not
the role's yet, the first assertion fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

testinfra_hosts = ["targets"]

# alias: (host vars, text the failure message must contain)
CASES = {
    "prefix-too-long": ({"samba_trusted_networks": ["10.0.0.0/33"]}, "samba_trusted_networks"),
    "host-bits": ({"bastion_trusted_networks": ["10.0.0.1/8"]}, "bastion_trusted_networks"),
    "not-an-address": ({"bastion_internal_addresses": ["300.1.1.1"]}, "bastion_internal_addresses"),
    "newline-in-address": ({"samba_internal_addresses": ["127.0.0.1\n[evil]"]}, "samba_internal_addresses"),
    "newline-in-share": ({"samba_share_hosts_allow": {"public]\n[global": ["127.0.0.1"]}}, "samba_share_hosts_allow["),
    "bracket-in-share": ({"samba_share_hosts_allow": {"pub[lic]": ["127.0.0.1"]}}, "samba_share_hosts_allow["),
    "newline-in-share-host": (
        {"samba_share_hosts_allow": {"public": ["127.0.0.1\nguest ok = yes"]}},
        'samba_share_hosts_allow[\\"public\\"]',
    ),
    "space-in-interface": ({"samba_interfaces": ["lo 0.0.0.0/0"]}, "samba_interfaces"),
    "unknown-protocol": ({"samba_min_protocol": "NT1"}, "samba_min_protocol"),
    "wrong-type": ({"samba_share_hosts_allow": "public"}, "samba_share_hosts_allow"),
    "number-not-list": ({"samba_interfaces": 5}, "samba_interfaces"),
}


def fingerprint(host):
    # Content of smb.conf and the number of smb.conf* entries (a new backup would show).
    return host.check_output("sha256sum /etc/samba/smb.conf; ls /etc/samba | grep -c '^smb\\.conf'")


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(
        host,
        tmp_path,
        SCENARIO,
        CASES,
        "SMB-",
        fingerprint,
        "grep -Eq '^\\s*bind interfaces only = yes$' /etc/samba/smb.conf",
    )
