#!/usr/bin/env python
"""make bench: performance figures measured side by side in one run, medians of N runs.

Writes bench/results.json and prints a table. Not a test: nothing here passes or fails on
a time. Figures:
  audit_module   wall time of one `bastion.hardening.audit_facts` task on a soft target
                 (ansible ad hoc, pipelining on), and the module's own `duration`;
  walk_vs_find   the audit's single filesystem walk (its own `walk.seconds`, PERM-06 only)
                 against `find / -xdev \\( -perm -4000 -o -perm -2000 -o -perm -0002 -o
                 -nouser \\)` timed inside the same container, alternating, after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
TARGET = "bastion-bench-target"
FIND = r"find / -xdev \( -perm -4000 -o -perm -2000 -o -perm -0002 -o -nouser \) -print"
TIMED_FIND = (
    "import subprocess, time; t = time.perf_counter(); "
    "subprocess.run(['sh', '-c', %r], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(time.perf_counter() - t)" % FIND
)


def env():
    e = dict(os.environ)
    e.update(
        PATH="%s:/usr/bin:%s" % (BIN, e.get("PATH", "")),
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".venv" / "collections"),
        ANSIBLE_PIPELINING="true",
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
        ANSIBLE_STDOUT_CALLBACK="json",
        ANSIBLE_HOST_KEY_CHECKING="false",
    )
    return e


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def start_target(image, inventory):
    subprocess.run(["docker", "rm", "-f", TARGET], capture_output=True, check=False)
    run(
        ["docker", "run", "-d", "--name", TARGET, "--label", "org.bastion.test=bench",
         "--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp",
         "-v", "/sys/fs/cgroup:/sys/fs/cgroup:ro", "--cgroupns", "host", "--network", "none", image]
    )  # fmt: skip
    inventory.write_text(
        "[targets]\n%s ansible_connection=community.docker.docker\n[inetd_hosts]\n%s\n" % (TARGET, TARGET)
    )
    # The same soft target as the inetd and audit scenarios.
    run([str(BIN / "ansible-playbook"), "-i", str(inventory), str(ROOT / "molecule/inetd/prepare.yml")],
        env=dict(env(), ANSIBLE_STDOUT_CALLBACK="default"), cwd=ROOT)  # fmt: skip


def audit_once(inventory, args):
    t = time.perf_counter()
    out = run(
        [str(BIN / "ansible"), "-i", str(inventory), TARGET, "-m", "bastion.hardening.audit_facts", "-a", args],
        env=env(),
        cwd=ROOT,
    ).stdout
    wall = time.perf_counter() - t
    result = json.loads(out)["plays"][0]["tasks"][0]["hosts"][TARGET]
    if result.get("failed"):
        raise SystemExit("audit_facts failed: %s" % result.get("msg"))
    return wall, result["ansible_facts"]["bastion_audit"]


def find_once():
    return float(run(["docker", "exec", TARGET, "python3", "-c", TIMED_FIND]).stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--image", default="bastion/softtarget:debian12")
    args = parser.parse_args()
    results = {"generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": args.runs,
               "machine": {"cpus": os.cpu_count()}, "image": args.image}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        inventory = pathlib.Path(tmp) / "inventory.ini"
        try:
            start_target(args.image, inventory)
            # Warm-up: caches and the interpreter discovery, not counted.
            audit_once(inventory, "")
            find_once()
            walls, durations, walks, finds, checks = [], [], [], [], 0
            for _run in range(args.runs):
                wall, audit = audit_once(inventory, "")
                walls.append(wall)
                durations.append(audit["duration"])
                checks = len(audit["checks"])
                only_walk = audit_once(inventory, "only=PERM-06")[1]
                walks.append(only_walk["walk"]["seconds"])
                finds.append(find_once())
            files = only_walk["walk"]["files"] + only_walk["walk"]["directories"]
        finally:
            subprocess.run(["docker", "rm", "-f", TARGET], capture_output=True, check=False)
    med = statistics.median
    results["audit_module"] = {
        "checks": checks,
        "task_wall_seconds": {"median": med(walls), "all": walls},
        "module_duration_seconds": {"median": med(durations), "all": durations},
    }
    results["walk_vs_find"] = {
        "entries_walked": files,
        "walk_seconds": {"median": med(walks), "all": walks},
        "find_seconds": {"median": med(finds), "all": finds},
        "ratio_walk_to_find": med(walks) / med(finds),
    }
    out = ROOT / "bench" / "results.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    rows = [
        ("audit_facts task, wall (ansible ad hoc)", "%.2f s" % med(walls)),
        ("audit_facts module duration (%d checks)" % checks, "%.2f s" % med(durations)),
        ("filesystem walk (%d entries)" % files, "%.3f s" % med(walks)),
        ("find -xdev with the same tests", "%.3f s" % med(finds)),
        ("walk / find", "%.2fx" % (med(walks) / med(finds))),
    ]
    print("medians of %d runs on %s, %d cpus" % (args.runs, args.image, os.cpu_count()))
    for name, value in rows:
        print("  %-45s %s" % (name, value))
    print("written: %s" % out.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
