"""Malformed input: the role must stop in validation, before any change, and name the
variable. One ansible-playbook run per target, over aliases of that target (one malformed
value each), through the docker connection.

The hardened files must come through unchanged: on the unhardened soft target, where the
files are not the role's yet, the first assertion fails."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

testinfra_hosts = ["targets"]

SCENARIO = Path(__file__).resolve().parent.parent
FILES = "/etc/hosts.allow /etc/hosts.deny"
FINGER = {"daemons": ["in.fingerd"], "clients": ["127.0.0.1"]}

# alias: (host vars, text the failure message must contain)
CASES = {
    "prefix-too-long": ({"tcp_wrappers_trusted_networks": ["10.0.0.0/33"]}, "tcp_wrappers_trusted_networks"),
    "host-bits": ({"bastion_management_networks": ["10.0.0.1/8"]}, "bastion_management_networks"),
    "not-an-address": ({"bastion_internal_addresses": ["300.1.1.1"]}, "bastion_internal_addresses"),
    "newline-in-client": (
        {"tcp_wrappers_allow": [{"daemons": ["in.fingerd"], "clients": ["127.0.0.1\nALL"]}]},
        "tcp_wrappers_allow[0]: clients",
    ),
    "colon-in-daemon": (
        {"tcp_wrappers_allow": [{"daemons": ["in.fingerd: ALL"], "clients": ["ALL"]}]},
        "tcp_wrappers_allow[0]: daemons",
    ),
    "shell-in-client": (
        {"tcp_wrappers_allow": [{"daemons": ["sshd"], "clients": ["127.0.0.1", "host;reboot"]}]},
        "tcp_wrappers_allow[0]: clients",
    ),
    "shell-in-except": (
        {"tcp_wrappers_allow": [FINGER, {"daemons": ["ALL"], "clients": ["ALL"], "except": ["$(id)"]}]},
        "tcp_wrappers_allow[1]: except",
    ),
    "newline-in-comment": (
        {"tcp_wrappers_allow": [dict(FINGER, comment="finger\nALL: ALL")]},
        "tcp_wrappers_allow[0]: comment",
    ),
    "shell-in-email": ({"tcp_wrappers_admin_email": "root; reboot"}, "tcp_wrappers_admin_email"),
    "percent-in-email": ({"bastion_admin_email": "root%d"}, "bastion_admin_email"),
    "relative-mail-command": ({"tcp_wrappers_mail_command": "mail -s x"}, "tcp_wrappers_mail_command"),
}


def fingerprint(host):
    # Content of the two files and the number of hosts.* entries (a new backup would show).
    return host.check_output("sha256sum %s; ls /etc | grep -c '^hosts\\.'" % FILES)


def run_playbook(container, tmp_path):
    inventory = {
        "all": {
            "hosts": {
                alias: dict(values, ansible_host=container, ansible_connection="community.docker.docker")
                for alias, (values, _expected) in CASES.items()
            }
        }
    }
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory))
    playbook = shutil.which("ansible-playbook", path=str(Path(sys.executable).parent)) or "ansible-playbook"
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_FORKS=str(len(CASES)))
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
    assert host.check_output("grep -v '^#' /etc/hosts.deny | grep -c '^ALL: ALL$' || true") == "1", "not hardened"
    before = fingerprint(host)
    result = run_playbook(container, tmp_path)
    assert fingerprint(host) == before, "the files changed"
    tasks = result["plays"][0]["tasks"]
    for alias, (_values, expected) in CASES.items():
        stats = result["stats"][alias]
        assert stats["failures"] == 1 and stats["changed"] == 0, (alias, stats)
        ran = [t["task"]["name"] for t in tasks if alias in t["hosts"]]
        assert not [name for name in ran if name.startswith("TCPW-")], (alias, ran)
        failed = [t["hosts"][alias] for t in tasks if t["hosts"].get(alias, {}).get("failed")]
        messages = json.dumps(failed)
        assert expected in messages, "%s: %r not in %s" % (alias, expected, messages)
