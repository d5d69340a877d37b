"""Shared by the scenarios' tests/test_bad_input.py: run a role's bad_input.yml over aliases
of one target (one malformed value each) and check that every alias stopped in validation,
before any task of the role's controls ran, with a message naming the variable."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml


def run_playbook(scenario, container, tmp_path, cases):
    """ansible-playbook SCENARIO/bad_input.yml over {alias: (host vars, expected text)}: its json result."""
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
        [playbook, "-i", str(path), str(Path(scenario) / "bad_input.yml")],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode != 0, "the play with malformed input succeeded: %s" % proc.stdout[-2000:]
    return json.loads(proc.stdout[proc.stdout.index("{") :])


def assert_rejected(result, cases, control_prefix):
    """Each alias failed once, changed nothing, ran no '<PREFIX>-' task, and its failure names the variable."""
    tasks = result["plays"][0]["tasks"]
    for alias, (_values, expected) in cases.items():
        stats = result["stats"][alias]
        assert stats["failures"] == 1 and stats["changed"] == 0, (alias, stats)
        ran = [t["task"]["name"] for t in tasks if alias in t["hosts"]]
        assert not [name for name in ran if name.startswith(control_prefix)], (alias, ran)
        failed = [t["hosts"][alias] for t in tasks if t["hosts"].get(alias, {}).get("failed")]
        messages = json.dumps(failed)
        assert expected in messages, "%s: %r not in %s" % (alias, expected, messages)


def check_role(host, tmp_path, scenario, cases, control_prefix, fingerprint, hardened):
    """The whole bad-input test of a scenario: the target is hardened (the shell command
    `hardened` succeeds: on the soft target it fails, so the test cannot pass there), the
    malformed values of `cases` are all refused in validation naming the variable, and
    `fingerprint(host)` (the files the role writes) is the same before and after."""
    container = host.ansible.get_variables()["inventory_hostname"]
    probe = host.run(hardened)
    assert probe.rc == 0, "not hardened (%s): %s" % (hardened, probe.stdout + probe.stderr)
    before = fingerprint(host)
    result = run_playbook(scenario, container, tmp_path, cases)
    assert fingerprint(host) == before, "the files changed"
    assert_rejected(result, cases, control_prefix)
    return result
