#!/usr/bin/env python
"""make bench: performance figures measured side by side in one run, medians of N runs.

Writes bench/results.json and prints a table. Not a test: nothing here passes or fails on
a time; the project's targets are reported next to the figures. Figures:
  audit_module   wall time of one `bastion.hardening.audit_facts` task on a soft target
                 (ansible ad hoc, pipelining on), and the module's own `duration`;
  walk_vs_find   the audit's single filesystem walk (its own `walk.seconds`, PERM-06 only)
                 against `find / -xdev \\( -perm -4000 -o -perm -2000 -o -perm -0002 -o
                 -nouser \\)` timed inside the same container, alternating, after a warm-up;
  harden         playbooks/harden.yml on fresh soft targets: first run and second
                 (idempotent) run, seconds, tasks and changed (json stdout callback);
  audit_fleet    playbooks/audit.yml across 1, 10 and 50 minimal containers (python3 only,
                 no systemd), forks 50: seconds per host and the scaling ratio;
  connection     the 10-host audit with pipelining on, off, and with mitogen 0.3.54
                 (downloaded from PyPI into a temporary directory on PYTHONPATH, never
                 installed into .venv), alternating within each repetition.
The machine is shared: the load average at start and end is recorded with the figures.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PREFIX = "bastion-bench-"
SOFT_IMAGE = "bastion/softtarget:debian12"
MINIMAL_IMAGE = "bastion/minimal:debian12"
FLEET_SIZES = (1, 10, 50)
FORKS = 50
MITOGEN = "mitogen==0.3.54"
TARGETS = {"harden_second_run_seconds": 60.0, "audit_seconds_per_host_at_50": 1.5}
FIND = r"find / -xdev \( -perm -4000 -o -perm -2000 -o -perm -0002 -o -nouser \) -print"
TIMED_FIND = (
    "import subprocess, time; t = time.perf_counter(); "
    "subprocess.run(['sh', '-c', %r], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False); "
    "print(time.perf_counter() - t)" % FIND
)
SYSTEMD_OPTS = ["--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp",
                "-v", "/sys/fs/cgroup:/sys/fs/cgroup:ro", "--cgroupns", "host"]  # fmt: skip

med = statistics.median


def env(**extra):
    e = dict(os.environ)
    e.pop("ANSIBLE_CALLBACKS_ENABLED", None)  # no report callback: it would add its own time
    e.update(
        PATH="%s:/usr/bin:%s" % (BIN, e.get("PATH", "")),
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".venv" / "collections"),
        ANSIBLE_PIPELINING="true",
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
        ANSIBLE_STDOUT_CALLBACK="json",
        ANSIBLE_HOST_KEY_CHECKING="false",
        ANSIBLE_FORKS=str(FORKS),
        ANSIBLE_FORCE_COLOR="0",
    )
    e.update(extra)
    return e


def run(cmd, **kw):
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr)[-1500:]
        raise RuntimeError("%s exited %d: %s" % (" ".join(cmd[:3]), proc.returncode, tail))
    return proc


def figure(values):
    return {"median": med(values), "all": values}


def start_containers(names, image, systemd):
    def one(name):
        opts = SYSTEMD_OPTS if systemd else []
        run(["docker", "run", "-d", "--name", name, "--hostname", name, "--label", "org.bastion.test=bench",
             "--network", "none", *opts, image])  # fmt: skip

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, names))


def remove_containers(names):
    for i in range(0, len(names), 25):
        subprocess.run(["docker", "rm", "-f", *names[i : i + 25]], capture_output=True, check=False)


def write_inventory(path, names, connection):
    lines = ["[targets]", *names, "", "[inetd_hosts]", *names, "", "[targets:vars]",
             "ansible_connection=%s" % connection, "ansible_python_interpreter=/usr/bin/python3",
             'inetd_keep_services=["finger"]']  # fmt: skip
    path.write_text("\n".join(lines) + "\n")


def playbook(inventory, play, *args, **extra):
    """Run a playbook with the json callback: (wall seconds, parsed output)."""
    t = time.perf_counter()
    proc = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(inventory), str(ROOT / play), *args],
        env=env(**extra),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t
    try:
        out = json.loads(proc.stdout)
    except ValueError:
        out = None
    if proc.returncode != 0 or out is None:
        raise RuntimeError(
            "%s exited %d: %s" % (play, proc.returncode, (proc.stderr or proc.stdout)[-1500:].strip() or "no output")
        )
    bad = {h: s for h, s in out["stats"].items() if s.get("failures") or s.get("unreachable")}
    if bad:
        raise RuntimeError("%s: failed or unreachable hosts: %s" % (play, sorted(bad)))
    return wall, out


def audit_once(inventory, host, args):
    t = time.perf_counter()
    out = run(
        [str(BIN / "ansible"), "-i", str(inventory), host, "-m", "bastion.hardening.audit_facts", "-a", args],
        env=env(),
        cwd=ROOT,
    ).stdout
    wall = time.perf_counter() - t
    result = json.loads(out)["plays"][0]["tasks"][0]["hosts"][host]
    if result.get("failed"):
        raise SystemExit("audit_facts failed: %s" % result.get("msg"))
    return wall, result["ansible_facts"]["bastion_audit"]


def find_once(host):
    return float(run(["docker", "exec", host, "python3", "-c", TIMED_FIND]).stdout)


def bench_audit_module(inventory, host, runs):
    audit_once(inventory, host, "")  # warm-up: caches and interpreter discovery, not counted
    find_once(host)
    walls, durations, walks, finds, checks, only_walk = [], [], [], [], 0, {}
    for _rep in range(runs):
        wall, audit = audit_once(inventory, host, "")
        walls.append(wall)
        durations.append(audit["duration"])
        checks = len(audit["checks"])
        only_walk = audit_once(inventory, host, "only=PERM-06")[1]
        walks.append(only_walk["walk"]["seconds"])
        finds.append(find_once(host))
    module = {"checks": checks, "task_wall_seconds": figure(walls), "module_duration_seconds": figure(durations)}
    walk = {
        "entries_walked": only_walk["walk"]["files"] + only_walk["walk"]["directories"],
        "walk_seconds": figure(walks),
        "find_seconds": figure(finds),
        "ratio_walk_to_find": med(walks) / med(finds),
    }
    return module, walk


def bench_harden(inventory, hosts):
    """First and second run of harden.yml on each fresh soft target, one host at a time."""
    rows = {"first": [], "second": []}
    for host in hosts:
        for which in ("first", "second"):
            wall, out = playbook(inventory, "playbooks/harden.yml", "--limit", host)
            tasks = sum(1 for play in out["plays"] for task in play["tasks"] if host in task["hosts"])
            stats = out["stats"][host]
            rows[which].append({"seconds": wall, "tasks": tasks, "changed": stats["changed"], "ok": stats["ok"]})
    result = {"image": SOFT_IMAGE, "runs": len(hosts)}
    for which, items in rows.items():
        result[which] = {
            "seconds": figure([r["seconds"] for r in items]),
            "tasks": med([r["tasks"] for r in items]),
            "changed": {"median": med([r["changed"] for r in items]), "all": [r["changed"] for r in items]},
        }
    result["second_run_changed_zero"] = all(r["changed"] == 0 for r in rows["second"])
    return result


def fetch_mitogen(tmp):
    """Unpack mitogen into tmp (PyPI wheel, not installed): the extra env, or the failure reason."""
    proc = subprocess.run(
        [str(BIN / "pip"), "download", "--quiet", "--no-deps", "--only-binary=:all:", MITOGEN, "-d", str(tmp)],
        capture_output=True,
        text=True,
        check=False,
    )
    wheels = sorted(tmp.glob("mitogen-*.whl"))
    if proc.returncode != 0 or not wheels:
        return None, "pip download %s failed: %s" % (MITOGEN, proc.stderr.strip()[-500:])
    with zipfile.ZipFile(wheels[0]) as wheel:
        wheel.extractall(tmp / "site")
    site = tmp / "site"
    extra = {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH", "")])),
        "ANSIBLE_STRATEGY_PLUGINS": str(site / "ansible_mitogen" / "plugins" / "strategy"),
        "ANSIBLE_STRATEGY": "mitogen_linear",
    }
    return extra, None


def bench_fleet(tmp, runs, runs_50):
    """audit.yml on 1, 10 and 50 minimal containers; pipelining off and mitogen on the 10."""
    names = ["%sm%02d" % (PREFIX, i) for i in range(1, max(FLEET_SIZES) + 1)]
    start_containers(names, MINIMAL_IMAGE, systemd=False)
    inventories = {}
    for size in FLEET_SIZES:
        inventories[size] = tmp / ("fleet%d.ini" % size)
        write_inventory(inventories[size], names[:size], "docker")  # short name: mitogen needs it
    mitogen_env, mitogen_error = fetch_mitogen(tmp / "mitogen")
    modes = {"pipelining_on": {}, "pipelining_off": {"ANSIBLE_PIPELINING": "false"}}
    if mitogen_env:
        modes["mitogen"] = mitogen_env
    # Warm-up on 10 hosts (the image's pages are shared by all containers); not counted.
    playbook(inventories[10], "playbooks/audit.yml")
    walls = {size: [] for size in FLEET_SIZES}
    conn = {mode: [] for mode in modes}
    for rep in range(runs):
        for size in FLEET_SIZES:
            if size == max(FLEET_SIZES) and rep >= runs_50:
                continue
            walls[size].append(playbook(inventories[size], "playbooks/audit.yml")[0])
        for mode, extra in list(modes.items()):
            if mode == "pipelining_on":
                continue  # the 10-host figure above, same repetition
            try:
                conn[mode].append(playbook(inventories[10], "playbooks/audit.yml", **extra)[0])
            except RuntimeError as exc:
                if mode != "mitogen":
                    raise
                mitogen_error = "audit.yml with mitogen_linear failed: %s" % exc
                del modes[mode]
                conn.pop(mode)
    conn["pipelining_on"] = walls[10]
    fleet = {"image": MINIMAL_IMAGE, "forks": FORKS, "connection": "docker", "points": {}}
    for size in FLEET_SIZES:
        wall = med(walls[size])
        fleet["points"][str(size)] = {
            "runs": len(walls[size]),
            "wall_seconds": figure(walls[size]),
            "seconds_per_host": wall / size,
        }
    one, big = fleet["points"]["1"]["wall_seconds"]["median"], fleet["points"]["50"]["wall_seconds"]["median"]
    fleet["scaling_ratio_50_to_1"] = big / one
    fleet["scaling_note"] = "wall(50 hosts) / wall(1 host); 50 would be strictly serial, 1 perfectly parallel"
    connection = {"hosts": 10}
    for mode, values in conn.items():
        connection[mode] = {"wall_seconds": figure(values), "seconds_per_host": med(values) / 10}
    if mitogen_error:
        connection["mitogen"] = {"error": mitogen_error}
    else:
        connection["mitogen"]["version"] = MITOGEN.split("==")[1]
    return fleet, connection, names


def table(results):
    rows = []
    am, wf = results["audit_module"], results["walk_vs_find"]
    rows += [
        ("audit_facts task, wall (ansible ad hoc)", "%.2f s" % am["task_wall_seconds"]["median"]),
        ("audit_facts module duration (%d checks)" % am["checks"], "%.2f s" % am["module_duration_seconds"]["median"]),
        ("filesystem walk (%d entries)" % wf["entries_walked"], "%.3f s" % wf["walk_seconds"]["median"]),
        ("find -xdev with the same tests", "%.3f s" % wf["find_seconds"]["median"]),
        ("walk / find", "%.2fx" % wf["ratio_walk_to_find"]),
    ]
    h = results["harden"]
    for which in ("first", "second"):
        rows.append(
            (
                "harden.yml %s run (%d runs)" % (which, h["runs"]),
                "%.1f s, %d tasks, changed %d"
                % (h[which]["seconds"]["median"], h[which]["tasks"], h[which]["changed"]["median"]),
            )
        )
    second = h["second"]["seconds"]["median"]
    rows.append(("  target: second run < 60 s, changed 0",
                 "%s" % ("met" if second < 60 and h["second_run_changed_zero"] else "NOT met")))  # fmt: skip
    f = results["audit_fleet"]
    for size, point in f["points"].items():
        rows.append(
            (
                "audit.yml, %s minimal host(s), forks %d (%d runs)" % (size, f["forks"], point["runs"]),
                "%.1f s, %.2f s/host" % (point["wall_seconds"]["median"], point["seconds_per_host"]),
            )
        )
    per_host_50 = f["points"]["50"]["seconds_per_host"]
    rows.append(("  scaling: wall(50) / wall(1)", "%.1fx" % f["scaling_ratio_50_to_1"]))
    rows.append(("  target: < 1.5 s/host at 50 hosts", "met" if per_host_50 < 1.5 else "NOT met"))
    c = results["connection"]
    for mode in ("pipelining_on", "pipelining_off", "mitogen"):
        if "error" in c[mode]:
            rows.append(("audit.yml, 10 hosts, %s" % mode, "failed (see results.json)"))
        else:
            rows.append(("audit.yml, 10 hosts, %s" % mode, "%.1f s" % c[mode]["wall_seconds"]["median"]))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the single-target figures")
    parser.add_argument("--fleet-runs", type=int, default=3, help="repetitions of the 1- and 10-host audits")
    parser.add_argument("--fleet-runs-50", type=int, default=2, help="repetitions of the 50-host audit")
    parser.add_argument("--harden-targets", type=int, default=3, help="fresh soft targets for harden.yml")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    started = time.perf_counter()
    results = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "runs": args.runs,
        "machine": {"cpus": os.cpu_count(), "loadavg_start": os.getloadavg()},
        "image": SOFT_IMAGE,
        "targets": TARGETS,
    }
    soft = ["%ssoft%d" % (PREFIX, i) for i in range(1, args.harden_targets + 1)]
    started_names = list(soft)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = pathlib.Path(tmpdir)
        try:
            start_containers(soft, SOFT_IMAGE, systemd=True)
            inventory = tmp / "soft.ini"
            write_inventory(inventory, soft, "community.docker.docker")
            # The same soft target as the inetd and audit scenarios.
            run([str(BIN / "ansible-playbook"), "-i", str(inventory), str(ROOT / "molecule/inetd/prepare.yml")],
                env=env(ANSIBLE_STDOUT_CALLBACK="default"), cwd=ROOT)  # fmt: skip
            results["audit_module"], results["walk_vs_find"] = bench_audit_module(inventory, soft[0], args.runs)
            results["harden"] = bench_harden(inventory, soft)
            remove_containers(soft)
            fleet, connection, names = bench_fleet(tmp, args.fleet_runs, args.fleet_runs_50)
            started_names += names
            results["audit_fleet"], results["connection"] = fleet, connection
        finally:
            remove_containers(started_names + ["%sm%02d" % (PREFIX, i) for i in range(1, max(FLEET_SIZES) + 1)])
    results["machine"]["loadavg_end"] = os.getloadavg()
    results["bench_seconds"] = time.perf_counter() - started
    out = ROOT / "bench" / "results.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(
        "medians on %d cpus: %d runs single-target, %d runs of the 1- and 10-host audits, harden on %d fresh targets"
        % (os.cpu_count(), args.runs, args.fleet_runs, args.harden_targets)
    )
    if args.fleet_runs_50 < args.fleet_runs:
        print("the 50-host audit: %d runs only, to keep make bench under 6 minutes" % args.fleet_runs_50)
    print("load average %.1f at start, %.1f at end (shared machine)" % (
        results["machine"]["loadavg_start"][0], results["machine"]["loadavg_end"][0]))  # fmt: skip
    for name, value in table(results):
        print("  %-50s %s" % (name, value))
    if "error" in results["connection"]["mitogen"]:
        print("  mitogen: %s" % results["connection"]["mitogen"]["error"][:300])
    print("written: %s in %.0f s" % (out.relative_to(ROOT), results["bench_seconds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
