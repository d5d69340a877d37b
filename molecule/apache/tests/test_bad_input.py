"""Malformed input: the role must stop in validation, before any change, and name the
variable. One ansible-playbook run per target, over aliases of that target (one malformed
value each), through the docker connection. Then input the role's rules accept but Apache
refuses: every file must be put back from its backup.

The hardened files must come through unchanged: on the unhardened soft target, where the
files are not the role's yet, the first assertion of each test fails."""

import json
import re
import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role, run_playbook  # noqa: E402

testinfra_hosts = ["targets"]

FILES = (
    "/etc/apache2/apache2.conf /etc/apache2/ports.conf /etc/apache2/conf-available/security.conf "
    "/etc/apache2/conf-available/bastion-access.conf /etc/apache2/sites-available/000-default.conf "
    "/etc/apache2/bastion.htpasswd"
)
DIRS = "/etc/apache2 /etc/apache2/conf-available /etc/apache2/conf-enabled /etc/apache2/sites-available"
USERS = [{"name": "alice", "password": "alice-test-secret"}]
SECRET = "s3cret-never-shown"

# alias: (host vars, text the failure message must contain)
CASES = {
    "prefix-too-long": ({"apache_trusted_networks": ["10.0.0.0/33"]}, "apache_trusted_networks"),
    "not-an-address": ({"bastion_internal_addresses": ["127.0.0.1", "300.1.1.1"]}, "bastion_internal_addresses"),
    "newline-in-path": (
        {"apache_access_rules": [{"path": "/a\n</Location>\n<Location />\nRequire all granted"}]},
        "apache_access_rules[0]: path",
    ),
    "angle-bracket-in-path": ({"apache_access_rules": [{"path": '/a">'}]}, "apache_access_rules[0]: path"),
    "quote-in-realm": (
        {"apache_htpasswd_users": USERS, "apache_access_rules": [{"path": "/a", "users": ["alice"], "realm": 'x" y'}]},
        "apache_access_rules[0]: realm",
    ),
    "unknown-satisfy": ({"apache_access_rules": [{"path": "/a", "satisfy": "either"}]}, "satisfy"),
    "wrong-type": ({"apache_server_tokens_enabled": "sometimes"}, "apache_server_tokens_enabled"),
    "host-bits-in-rule": (
        {"apache_access_rules": [{"path": "/a", "allow_networks": ["10.0.0.1/8"]}]},
        "apache_access_rules[0]: allow_networks",
    ),
    "unknown-user": (
        {"apache_htpasswd_users": USERS, "apache_access_rules": [{"path": "/a", "users": ["mallory"]}]},
        "apache_access_rules[0]: users",
    ),
    "admits-nobody": (
        {"apache_access_rules": [{"path": "/a", "allow_networks": []}]},
        "apache_access_rules[0]: admits nobody",
    ),
    "colon-in-user": (
        {"apache_htpasswd_users": [{"name": "eve:x", "password": SECRET}]},
        "apache_htpasswd_users[0]: name",
    ),
    "empty-password": (
        {"apache_htpasswd_users": [{"name": "eve", "password": ""}]},
        "apache_htpasswd_users[0]: password",
    ),
    "port-out-of-range": ({"apache_listen_ports": [80, 70000]}, "apache_listen_ports"),
    "no-internal-address-to-listen-on": (
        {"apache_listen_enabled": True, "apache_internal_addresses": []},
        "apache_internal_addresses",
    ),
}


def fingerprint(host):
    # Content of the files and the entries of the directories (a new backup would show).
    return host.check_output("sha256sum %s; ls %s" % (FILES, DIRS))


def test_malformed_input_fails_before_any_change(host, tmp_path):
    result = check_role(
        host,
        tmp_path,
        SCENARIO,
        CASES,
        "WEB-",
        fingerprint,
        "grep -qx 'ServerTokens Prod' /etc/apache2/conf-available/security.conf",
    )
    assert SECRET not in json.dumps(result), "a password is in the output"


def test_configtest_failure_restores_every_file(host, tmp_path):
    """A rule the role's checks accept but Apache refuses: AuthName is an Apache expression, and
    'Staff %{' is an unterminated one. The access conf is written, apache2ctl configtest fails,
    the rescue puts the file back from its backup (which stays), and Apache keeps running and
    serving with the configuration it had."""
    variables = host.ansible.get_variables()
    policy = {
        key: variables[key]
        for key in ("bastion_trusted_networks", "apache_internal_addresses", "apache_listen_enabled")
        + ("apache_htpasswd_users", "apache_access_rules")
    }
    policy["apache_access_rules"] = policy["apache_access_rules"] + [
        {"path": "/staff", "users": ["alice"], "realm": "Staff %{"}
    ]
    conf = "/etc/apache2/conf-available/bastion-access.conf"
    assert host.file(conf).exists, "not hardened"
    listing = "ls -1 /etc/apache2/conf-available"
    before, entries = host.check_output("sha256sum %s" % FILES), set(host.check_output(listing).splitlines())
    result = run_playbook(SCENARIO, variables["inventory_hostname"], tmp_path, {"refused": (policy, "AH00526")})
    assert host.check_output("sha256sum %s" % FILES) == before, "the files changed"
    new = set(host.check_output(listing).splitlines()) - entries
    assert len(new) == 1 and re.match(r"^bastion-access\.conf\..*~$", new.pop()), new
    stats = result["stats"]["refused"]
    assert stats["failures"] == 1, stats
    tasks = result["plays"][0]["tasks"]
    # Task names come as "bastion.hardening.apache : NAME".
    ran = [t["task"]["name"].split(" : ", 1)[-1] for t in tasks if "refused" in t["hosts"]]
    assert "WEB-05 | Write bastion-access.conf: the access rules" in ran
    assert "Put back the files this run changed" in ran
    failed = {
        t["task"]["name"].split(" : ", 1)[-1]: t["hosts"]["refused"]
        for t in tasks
        if t["hosts"].get("refused", {}).get("failed")
    }
    assert set(failed) == {"Check the whole configuration with apache2ctl configtest", "Fail with Apache's message"}
    assert "AH00526" in failed["Fail with Apache's message"]["msg"], failed
    assert host.run("apache2ctl configtest").rc == 0
    assert host.service("apache2").is_running
