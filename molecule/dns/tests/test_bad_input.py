"""Malformed input: the role must stop in validation, before any change, and name the
variable. One ansible-playbook run per target, over aliases of that target (one malformed
value each), through the docker connection.

The hardened files must come through unchanged: on the unhardened soft target, where the
files are not the role's yet, the first assertion fails."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

testinfra_hosts = ["targets"]

SCENARIO = Path(__file__).resolve().parent.parent
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
}


def fingerprint(host):
    # Content of the files and the entries of /etc/bind and /etc/default (a new backup would show).
    return host.check_output("sha256sum %s; ls /etc/bind /etc/default" % FILES)


def run_playbook(container, tmp_path, cases):
    inventory = {
        "all": {
            "hosts": {
                alias: dict(values, ansible_host=container, ansible_connection="community.docker.docker")
                for alias, (values, _expected) in cases.items()
            }
        }
    }
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory))
    playbook = shutil.which("ansible-playbook", path=str(Path(sys.executable).parent)) or "ansible-playbook"
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_FORKS=str(len(cases)))
    proc = subprocess.run(
        [playbook, "-i", str(path), str(SCENARIO / "bad_input.yml")],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode != 0, "the play with malformed input succeeded: %s" % proc.stdout[-2000:]
    return json.loads(proc.stdout[proc.stdout.index("{") :])


def test_malformed_input_fails_before_any_change(host, tmp_path):
    container = host.ansible.get_variables()["inventory_hostname"]
    assert host.run("grep -qxF '\tversion \"none\";' /etc/bind/named.conf.options").rc == 0, "not hardened"
    before = fingerprint(host)
    result = run_playbook(container, tmp_path, CASES)
    assert fingerprint(host) == before, "the files changed"
    tasks = result["plays"][0]["tasks"]
    for alias, (_values, expected) in CASES.items():
        stats = result["stats"][alias]
        assert stats["failures"] == 1 and stats["changed"] == 0, (alias, stats)
        ran = [t["task"]["name"] for t in tasks if alias in t["hosts"]]
        assert not [name for name in ran if name.startswith("DNS-")], (alias, ran)
        failed = [t["hosts"][alias] for t in tasks if t["hosts"].get(alias, {}).get("failed")]
        messages = json.dumps(failed)
        assert expected in messages, "%s: %r not in %s" % (alias, expected, messages)


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
    result = run_playbook(variables["inventory_hostname"], tmp_path, {"clash": (policy, "already exists")})
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
