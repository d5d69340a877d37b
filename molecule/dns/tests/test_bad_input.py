"""Malformed input: the role must stop in validation, before any change, and name the
variable. One ansible-playbook run per target, over aliases of that target (one malformed
value each), through the docker connection.

The hardened files must come through unchanged: on the unhardened soft target, where the
files are not the role's yet, the first assertion fails."""

import json
import re
import sys
from pathlib import Path

import pytest

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role, run_playbook  # noqa: E402

testinfra_hosts = ["targets"]

FILES = "/etc/bind/named.conf.options /etc/bind/named.conf.local /etc/default/named"
ZONE = {"name": "example.test", "file": "/etc/bind/db.example.test"}

# alias: (host vars, text the failure message must contain)
CASES = {
    "prefix-too-long": ({"dns_trusted_networks": ["10.0.0.0/33"]}, "dns_trusted_networks"),
    "not-an-address": ({"bastion_internal_addresses": ["127.0.0.1", "300.1.1.1"]}, "bastion_internal_addresses"),
    "host-bits": ({"dns_allow_transfer": ["10.0.0.1/8"]}, "dns_allow_transfer"),
    "newline-in-zone-name": (
        {"dns_zones": [dict(ZONE, name='example.test" {\n};\nzone "evil')]},
        "dns_zones[0]: name",
    ),
    "semicolon-in-zone-file": ({"dns_zones": [dict(ZONE, file="/etc/bind/db;x")]}, "dns_zones[0]: file"),
    "brace-in-zone-transfer": (
        {"dns_zones": [ZONE, dict(ZONE, name="b.test", allow_transfer=["10.0.0.1; }; allow-query { any"])]},
        "dns_zones[1]: allow_transfer",
    ),
    "brace-in-forwarder": ({"dns_forwarders": ["192.0.2.1}"]}, "dns_forwarders"),
    "secondary-without-primaries": ({"dns_zones": [dict(ZONE, type="secondary")]}, "dns_zones[0]: primaries"),
    "unknown-zone-type": ({"dns_zones": [dict(ZONE, type="hint")]}, "dns_zones"),
    "unknown-choice": ({"dns_dnssec_validation": "maybe"}, "dns_dnssec_validation"),
    "wrong-type": ({"dns_recursion": "sometimes"}, "dns_recursion"),
    "address-not-a-list": ({"dns_internal_addresses": {"a": "127.0.0.1"}}, "dns_internal_addresses"),
    "shell-in-user": ({"dns_user": "bind -c /tmp/x"}, "dns_user"),
    "quote-in-directory": ({"dns_directory": '/var/cache/bind";'}, "dns_directory"),
    "string-not-list": ({"dns_forwarders": "192.0.2.1"}, "dns_forwarders"),
}


def fingerprint(host):
    # Content of the files and the entries of /etc/bind and /etc/default (a new backup would show).
    return host.check_output("sha256sum %s; ls /etc/bind /etc/default" % FILES)


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(
        host,
        tmp_path,
        SCENARIO,
        CASES,
        "DNS-",
        fingerprint,
        "grep -qxF '\tversion \"none\";' /etc/bind/named.conf.options",
    )


def test_named_checkconf_refuses_a_zone_that_clashes_with_another_file(host, tmp_path):
    """Input the role's own rules accept, but the whole configuration does not: a zone that
    named.conf.default-zones defines already. The validate: command must see the other file
    (named-checkconf -t on a copy of /etc/bind), refuse the candidate and leave the files as
    they are."""
    if not host.file("/etc/bind/named.conf.default-zones").exists:
        pytest.skip("no named.conf.default-zones here (bind9 9.20 has the default zones built in)")
    variables = host.ansible.get_variables()
    policy = {key: variables[key] for key in ("bastion_trusted_networks", "dns_internal_addresses", "dns_zones")}
    policy["dns_zones"] = policy["dns_zones"] + [{"name": "localhost", "file": "/etc/bind/db.local"}]
    listing = "ls -1 /etc/bind /etc/default"
    before, entries = host.check_output("sha256sum %s" % FILES), set(host.check_output(listing).splitlines())
    result = run_playbook(SCENARIO, variables["inventory_hostname"], tmp_path, {"clash": (policy, "already exists")})
    assert host.check_output("sha256sum %s" % FILES) == before, "the files changed"
    # Ansible's template (copy) module keeps its backup before it runs validate:, so a refused
    # candidate may leave one more backup of the unchanged named.conf.local, and nothing else.
    new = set(host.check_output(listing).splitlines()) - entries
    assert all(re.match(r"^named\.conf\.local\..*~$", name) for name in new), new
    stats = result["stats"]["clash"]
    assert stats["failures"] == 1 and stats["changed"] == 0, stats
    failed = [t for t in result["plays"][0]["tasks"] if t["hosts"].get("clash", {}).get("failed")]
    names = [t["task"]["name"] for t in failed]
    assert len(names) == 1 and names[0].endswith(
        "DNS-01 | Write named.conf.local: the listed zones, each with its allow-transfer"
    ), names
    assert "already exists" in json.dumps(failed[0]["hosts"]["clash"])
