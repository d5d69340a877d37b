"""The reliability suite over the whole collection (docs/reliability.md).

Runs after the shared sequence proved, for playbooks/harden.yml on the fleet targets (Debian
11, 12, 13, every daemon installed) and a bare container: check mode changed nothing
(side_effect) and the second run changed nothing (idempotence). Here:

- the snapshots of that check run are compared again and counted;
- the bare host's roles all say why they skip;
- every role's bad-input table (the CASES of molecule/<role>/tests/test_bad_input.py), all of
  them at once through harden.yml: each value is refused before any control task runs, by a
  message that names the variable;
- faults: a broken configuration left as it was, a failing validate leaving the live file and
  its backup, an unreachable host in a fleet run, an interrupted run finished by the next one;
- secrets: nothing marked no_log shows up in -vvv output or in the report.

The figures go to .build/molecule/reliability.json and to the summary line that
tools/molecule-all.sh prints."""

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

SCENARIO = Path(__file__).resolve().parent.parent
ROOT = SCENARIO.parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

TARGETS = ["bastion-rel-debian11", "bastion-rel-debian12", "bastion-rel-debian13"]
BARE = "bastion-rel-bare"
HARDEN = ROOT / "playbooks" / "harden.yml"
AUDIT = ROOT / "playbooks" / "audit.yml"
CONTROL_TASK = re.compile(r"^[A-Z]+-\d+( [A-Z]+-\d+)* \| ")
FIGURES = {}
# The variables of molecule.yml's inventory (all, then targets: the management network, finger
# kept, the audit's allowed list), read from it so the test's own runs cannot drift from it.
_GROUP_VARS = yaml.safe_load((SCENARIO / "molecule.yml").read_text())["provisioner"]["inventory"]["group_vars"]
INVENTORY_VARS = dict(_GROUP_VARS["all"], **_GROUP_VARS["targets"])
# The bad-input tables of the role scenarios, by scenario name.
TABLE_FILES = sorted(p for p in (ROOT / "molecule").glob("*/tests/test_bad_input.py") if p.parent.parent != SCENARIO)


def record(key, value):
    FIGURES[key] = value
    out = ROOT / ".build" / "molecule" / "reliability.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(FIGURES, indent=2, sort_keys=True) + "\n")


def docker(*args, check=True):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check, timeout=300)


def playbook(playbook_path, hosts, tmp_path, *args, env=None, timeout=900):
    """ansible-playbook over {alias: host vars} (docker connection), json callback: (rc, result, stderr)."""
    inventory = {
        "all": {
            "vars": INVENTORY_VARS,
            "hosts": {
                alias: dict({"ansible_host": alias, "ansible_connection": "community.docker.docker"}, **values)
                for alias, values in hosts.items()
            },
        }
    }
    path = tmp_path / ("inventory-%d.yml" % time.monotonic_ns())
    path.write_text(yaml.safe_dump(inventory))
    binary = shutil.which("ansible-playbook", path=str(Path(sys.executable).parent)) or "ansible-playbook"
    # The compliance report of these runs goes to tmp_path: the scenario's own (test_audit.py's)
    # stays the one molecule's last run wrote.
    environment = dict(
        os.environ,
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json",
        ANSIBLE_FORKS="20",
        ANSIBLE_PIPELINING="True",
        BASTION_REPORT_DIR=str(tmp_path / "reports"),
    )
    environment.update(env or {})
    proc = subprocess.run(
        [binary, "-i", str(path), str(playbook_path), *args],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
        timeout=timeout,
    )
    out = proc.stdout
    # The json callback's document; another callback may print after it.
    result = json.JSONDecoder().raw_decode(out[out.index("{") :])[0] if "{" in out else {}
    result["_stdout"] = out  # everything the run printed, -v lines included
    return proc.returncode, result, proc.stderr


def tasks_run(result, alias):
    """(play name, task name, host result) of every task that ran on ALIAS."""
    for play in result.get("plays", []):
        for task in play["tasks"]:
            if alias in task["hosts"]:
                yield play["play"]["name"], task["task"]["name"], task["hosts"][alias]


# Roles that harden a daemon, and the prefix of their "not installed" message.
DAEMON_ROLES = {
    "inetd": "INETD",
    "tcp_wrappers": "TCPW",
    "dns": "DNS",
    "samba": "SMB",
    "mail": "MAIL",
    "apache": "WEB",
    "rpc": "RPC",
    "printing": "LPD",
    "ssh": "SSH",
    "backup": "BACKUP",
}


def harden_roles():
    """The roles harden.yml applies, in order."""
    plays = yaml.safe_load(HARDEN.read_text())
    return [r["role"].rsplit(".", 1)[-1] for play in plays for r in play.get("roles", [])]


def sha(container, path):
    return docker("exec", container, "sha256sum", path).stdout.split()[0]


# ---------------------------------------------------------------- check mode, idempotence


@pytest.mark.parametrize("container", TARGETS)
def test_check_run_changed_nothing(container):
    before = docker("exec", container, "cat", "/var/tmp/bastion-snapshot.prepare").stdout
    after = docker("exec", container, "cat", "/var/tmp/bastion-snapshot.check").stdout
    assert before == after, "check mode changed %s" % container
    files = sum(1 for line in before.split("## sha256\n", 1)[1].split("## listening")[0].splitlines() if line)
    assert files > 10000, "too few files in the snapshot of %s: %d" % (container, files)
    record("check_files_compared_%s" % container, files)


def test_bare_host_roles_say_why_they_skip(tmp_path):
    """The bare host (no daemon, no systemd): the run succeeds, changes nothing the second time
    (molecule's idempotence step ran it over every role), and every role whose daemon is
    missing says so. This third run takes only those roles (--tags): the host roles have no
    daemon to miss, and their full run is the CPU of minutes."""
    tags = ",".join(role for role in harden_roles() if role in DAEMON_ROLES)
    rc, result, stderr = playbook(HARDEN, {BARE: {}}, tmp_path, "--tags", tags)
    assert rc == 0, stderr[-3000:]
    stats = result["stats"][BARE]
    assert stats["changed"] == 0 and stats["failures"] == 0, stats
    said = " ".join(str(res.get("msg", "")) for _play, _task, res in tasks_run(result, BARE) if not res.get("skipped"))
    prefixes = sorted(set(re.findall(r"\b([A-Z]{2,6}): ", said)))
    expected = [DAEMON_ROLES[role] for role in harden_roles() if role in DAEMON_ROLES]
    missing = [p for p in expected if p not in prefixes]
    assert not missing, "no skip message from %s on the bare host: %s" % (missing, said[:2000])
    record("bare_host_skip_messages", prefixes)


# ---------------------------------------------------------------- bad input


def load_tables():
    tables = {}
    for path in TABLE_FILES:
        spec = importlib.util.spec_from_file_location("bad_input_%s" % path.parent.parent.name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        tables[path.parent.parent.name] = module.CASES
    return tables


def test_harden_runs_and_checks_every_role():
    """Every role of the collection is in harden.yml, and its first play checks the input of each."""
    roles = sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "tasks" / "main.yml").exists())
    assert sorted(harden_roles()) == roles
    checked = yaml.safe_load(HARDEN.read_text())[0]["tasks"][0]["loop"]
    assert checked == harden_roles()


def test_every_role_has_a_bad_input_table():
    roles = sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "tasks" / "validate.yml").exists())
    tables = load_tables()
    missing = [role for role in roles if role not in tables]
    assert not missing, "roles without a bad-input table: %s" % missing
    short = {role: len(cases) for role, cases in tables.items() if len(cases) < 5}
    assert not short, "fewer than 5 malformed values: %s" % short


def test_bad_input_refused_before_any_change(tmp_path):
    """The first and the last value of every role's table, and every value of the roles whose
    input the host judges too (the validation play's second loop: mail, ssh), at once, through
    harden.yml on one fleet target: refused in the validation play, before the first control
    task of any role, naming the variable. Every value of every table is refused by the same
    validation in its role's own scenario (check_role); here the point is the playbook: a bad
    value for a late role stops the run before an early role changed anything. (All ~200
    values through harden.yml took 12 minutes of the controller's CPU: its validation play is
    19 include_roles per host.)"""
    host_judged = yaml.safe_load(HARDEN.read_text())[0]["tasks"][1]["loop"]
    container = "bastion-rel-debian12"
    watched = ["/etc/inetd.conf", "/etc/hosts.allow", "/etc/bind/named.conf.options", "/etc/samba/smb.conf"]
    before = {path: sha(container, path) for path in watched}
    cases = {}
    for role, table in load_tables().items():
        if role not in harden_roles():
            continue  # test_harden_runs_and_checks_every_role fails for it
        aliases = list(table)
        if role not in host_judged:
            aliases = sorted({aliases[0], aliases[-1]}, key=aliases.index)
        for alias in aliases:
            cases["%s--%s" % (role, alias)] = table[alias]
    hosts = {alias: dict(values, ansible_host=container) for alias, (values, _expected) in cases.items()}
    rc, result, stderr = playbook(HARDEN, hosts, tmp_path, env={"ANSIBLE_FORKS": "10"})
    assert rc != 0, "the run with malformed input succeeded"
    problems = []
    for alias, (_values, expected) in cases.items():
        stats = result["stats"].get(alias)
        ran = list(tasks_run(result, alias))
        controls = [task for _play, task, _res in ran if CONTROL_TASK.match(task)]
        failed = [res for _play, _task, res in ran if res.get("failed")]
        if not stats or stats["failures"] != 1 or stats["changed"] != 0:
            problems.append((alias, "stats", stats))
        elif controls:
            problems.append((alias, "control tasks ran", controls))
        elif expected not in json.dumps(failed):
            problems.append((alias, "message does not name %s" % expected, json.dumps(failed)[:500]))
    assert not problems, problems
    assert {path: sha(container, path) for path in watched} == before
    per_role = {}
    for alias in cases:
        role = alias.split("--", 1)[0]
        per_role[role] = per_role.get(role, 0) + 1
    record("bad_inputs", per_role)


# ---------------------------------------------------------------- faults


BROKEN = {
    # role: (file the operator broke, text appended, extra vars that make the role want a change,
    #        the file the role would write, what the daemon's checker says)
    "dns": (
        "/etc/bind/named.conf.local",
        'zone "broken.test" { type primary; file "/etc/bind/db.broken" };\noptions {\n',
        {"dns_version_enabled": False},
        "/etc/bind/named.conf.options",
        "named.conf.local",
    ),
    "samba": (
        "/etc/samba/smb.conf",
        "\n[global]\n   no such parameter = 1\n",
        {"samba_min_protocol": "SMB3"},
        "/etc/samba/smb.conf",
        "no such parameter",
    ),
}


def backup_files(container, path):
    """{backup file: sha256} of PATH's backups (Ansible's PATH.<pid>.<date>~)."""
    out = docker("exec", container, "sh", "-c", "sha256sum %s.*~ 2>/dev/null" % path, check=False).stdout
    return {name: digest for digest, name in (line.split() for line in out.splitlines())}


def assert_no_new_backup_but_copies(container, path, before):
    """Ansible's copy and template take the backup before they validate: a refused candidate
    leaves one more backup, a copy of the live file. Nothing else may appear or change."""
    after = backup_files(container, path)
    live = sha(container, path)
    assert {name: digest for name, digest in after.items() if name in before} == before
    assert all(digest == live for name, digest in after.items() if name not in before), after


@pytest.mark.parametrize("role", sorted(BROKEN))
def test_broken_config_left_as_it_was(role, tmp_path):
    container = "bastion-rel-debian12"
    broken, text, change, written, says = BROKEN[role]
    docker("exec", container, "cp", "-a", broken, "/var/tmp/reliability.saved")
    try:
        docker("exec", container, "sh", "-c", 'printf "%s" "$1" >> "$2"', "sh", text, broken)
        broken_sha = sha(container, broken)
        written_sha = sha(container, written)
        backups = backup_files(container, written)
        rc, result, stderr = playbook(HARDEN, {container: change}, tmp_path, "--tags", role)
        assert rc != 0, "%s ran through a broken %s" % (role, broken)
        failed = [res for _play, _task, res in tasks_run(result, container) if res.get("failed")]
        assert says in json.dumps(failed), (
            "the checker's message is not in the failure: %s" % json.dumps(failed)[-2000:]
        )
        assert sha(container, broken) == broken_sha, "%s changed" % broken
        assert sha(container, written) == written_sha, "%s changed" % written
        assert_no_new_backup_but_copies(container, written, backups)
    finally:
        docker("exec", container, "cp", "-a", "/var/tmp/reliability.saved", broken)
    record("fault_broken_config_%s" % role, "refused, files unchanged")


def test_failing_validate_keeps_live_file_and_backup(tmp_path):
    """A value the spec allows but named-checkconf refuses (a working directory that does not
    exist): the live file stays, the backup of the last good change stays."""
    container = "bastion-rel-debian12"
    live = "/etc/bind/named.conf.options"
    before = sha(container, live)
    backups = backup_files(container, live)
    assert backups, "no backup from the converge run"
    rc, result, stderr = playbook(
        HARDEN, {container: {"dns_directory": "/var/cache/no-such-dir"}}, tmp_path, "--tags", "dns"
    )
    assert rc != 0
    failed = json.dumps([res for _play, _task, res in tasks_run(result, container) if res.get("failed")])
    assert "no-such-dir" in failed, failed[-2000:]
    assert sha(container, live) == before
    assert_no_new_backup_but_copies(container, live, backups)
    record("fault_failing_validate", "live file and %d backup(s) kept" % len(backups))


def test_unreachable_host_does_not_stop_the_fleet(tmp_path):
    reports = tmp_path / "reports"
    env = {
        "ANSIBLE_CALLBACKS_ENABLED": "bastion.hardening.compliance_report",
        "BASTION_REPORT_DIR": str(reports),
    }
    # A free address on the scenario's own --internal network: SSH finds no host there.
    gone = {
        "ansible_host": "172.30.90.250",
        "ansible_connection": "ssh",
        "ansible_ssh_common_args": "-o ConnectTimeout=5 -o StrictHostKeyChecking=no",
    }
    hosts = {"bastion-rel-debian12": {}, "bastion-rel-gone": gone}
    rc, result, _stderr = playbook(AUDIT, hosts, tmp_path, env=env)
    assert rc != 0
    assert result["stats"]["bastion-rel-gone"]["unreachable"] == 1
    assert result["stats"]["bastion-rel-debian12"]["failures"] == 0
    report = json.loads((reports / "compliance.json").read_text())
    assert report["hosts"]["bastion-rel-gone"]["status"] == "unreachable"
    assert report["hosts"]["bastion-rel-debian12"]["checks"], "no checks for the reachable host"
    record("fault_unreachable_host", "reported, the other host audited")


def test_interrupted_run_is_finished_by_the_next(tmp_path):
    """Kill ansible-playbook in the middle of harden.yml on a fresh soft target: the next run
    completes, the one after changes nothing."""
    name = "bastion-rel-interrupted"
    docker("rm", "-f", name, check=False)
    docker(
        "run", "-d", "--name", name, "--network", "bastion-rel",
        "--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp",
        "-v", "/sys/fs/cgroup:/sys/fs/cgroup:ro", "--cgroupns", "host", "--cap-add", "NET_ADMIN",
        "bastion/fleet:debian12", "/sbin/init",
    )  # fmt: skip
    try:
        docker("exec", name, "systemctl", "is-system-running", "--wait", check=False)
        inventory = tmp_path / "interrupted.yml"
        inventory.write_text(
            yaml.safe_dump(
                {
                    "all": {
                        "hosts": {name: {"ansible_connection": "community.docker.docker"}},
                        "vars": INVENTORY_VARS,
                    }
                }
            )
        )
        binary = shutil.which("ansible-playbook", path=str(Path(sys.executable).parent)) or "ansible-playbook"
        # The roles up to dns (the whole playbook takes minutes on one host): killed in dns,
        # once inetd and tcp_wrappers have changed the host.
        tags = ["--tags", "inetd,tcp_wrappers,mail,dns"]
        proc = subprocess.Popen(
            [binary, "-i", str(inventory), str(HARDEN), *tags],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            env=dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default"),
        )
        # Stop it once a later role started: the earlier ones have changed the host by then.
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("TASK [bastion.hardening.dns :") and any("changed:" in s for s in seen):
                break
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert any("changed:" in s for s in seen), "killed before anything changed: %s" % "".join(seen)[-2000:]
        rc, result, stderr = playbook(HARDEN, {name: {}}, tmp_path, *tags)
        assert rc == 0, stderr[-3000:]
        assert result["stats"][name]["changed"] > 0, "the interrupted run had finished everything"
        rc, result, stderr = playbook(HARDEN, {name: {}}, tmp_path, *tags)
        assert rc == 0 and result["stats"][name]["changed"] == 0, result["stats"][name]
    finally:
        docker("rm", "-f", name, check=False)
    record("fault_interrupted_run", "finished by the next run, then changed=0")


# ---------------------------------------------------------------- secrets

SENTINEL = "Sentinel-Passw0rd-7f3a9c"


@pytest.mark.parametrize("mode", ["check-diff", "apply"])
def test_secrets_stay_out_of_output_and_report(mode, tmp_path):
    """An htpasswd password (apache_htpasswd_users, no_log in the spec and the tasks), with -vvv,
    in a --check --diff run and in a real one: not in stdout, stderr or any report file."""
    container = "bastion-rel-debian12"
    reports = tmp_path / "reports"
    values = {
        "apache_htpasswd_users": [{"name": "auditor", "password": SENTINEL}],
        "apache_access_rules": [{"path": "/private", "allow_networks": [], "users": ["auditor"]}],
    }
    env = {"ANSIBLE_CALLBACKS_ENABLED": "bastion.hardening.compliance_report", "BASTION_REPORT_DIR": str(reports)}
    args = ["-vvv", "--tags", "apache"] + (["--check", "--diff"] if mode == "check-diff" else [])
    rc, result, stderr = playbook(HARDEN, {container: values}, tmp_path, *args, env=env)
    assert rc == 0, stderr[-3000:]
    stats = result["stats"][container]
    assert stats["changed"] > 0, "nothing to do: the password never reached a task"
    leaks = [name for name, text in [("stdout", result["_stdout"]), ("stderr", stderr)] if SENTINEL in text]
    files = sorted(p for p in reports.rglob("*") if p.is_file())
    assert files, "no report written"
    leaks += [str(p) for p in files if SENTINEL in p.read_text(errors="replace")]
    assert not leaks, "the password shows in %s" % leaks
    if mode == "apply":
        hashes = docker("exec", container, "cat", "/etc/apache2/bastion.htpasswd").stdout
        assert hashes.startswith("auditor:$2") and SENTINEL not in hashes
    output = len(result["_stdout"]) + len(stderr)
    record("secrets_%s" % mode, "not in -vvv output (%d bytes) or %d report files" % (output, len(files)))


def test_zz_summary():
    """The summary line (also in .build/molecule/reliability.json)."""
    files = sum(v for k, v in FIGURES.items() if k.startswith("check_files_compared_"))
    bad = sum(FIGURES.get("bad_inputs", {}).values())
    faults = len([k for k in FIGURES if k.startswith("fault_")])
    secrets = len([k for k in FIGURES if k.startswith("secrets_")])
    line = (
        "reliability: %d files compared, %d bad inputs tried, %d faults injected, %d runs without secrets in "
        % (
            files,
            bad,
            faults,
            secrets,
        )
        + "output, nothing lost"
    )
    (ROOT / ".build" / "molecule" / "reliability.summary").write_text(line + "\n")
    print(line)
    assert files and bad and faults and secrets
