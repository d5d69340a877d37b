# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kernel parameters (KERN) and system state (SYS)."""

from __future__ import annotations

import os
from collections import namedtuple

import pytest
from ansible_collections.bastion.hardening.plugins.module_utils.audit import files, system
from audit_helpers import AUDIT, make_ctx

SYSCTL_D12 = AUDIT / "sysctl-d12"


def proc_sys(tmp_path, values):
    root = tmp_path / "sys"
    for key, value in values.items():
        path = root / key.replace(".", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("%s\n" % value)
    return str(root)


def sysctl_args(tmp_path, etc_files=None):
    etc = tmp_path / "etc-sysctl.d"
    etc.mkdir()
    for name, text in (etc_files or {}).items():
        (etc / name).write_text(text)
    return (str(etc), str(SYSCTL_D12 / "usr/lib/sysctl.d")), str(SYSCTL_D12 / "etc/sysctl.conf")


def test_sysctl_files_order(tmp_path):
    dirs, conf = sysctl_args(
        tmp_path, {"99-protect-links.conf": "fs.protected_fifos = 0\n", "10-a.conf": "", "x.txt": ""}
    )
    assert system.sysctl_files(dirs, conf) == [
        str(tmp_path / "etc-sysctl.d/10-a.conf"),
        str(SYSCTL_D12 / "usr/lib/sysctl.d/50-pid-max.conf"),
        str(tmp_path / "etc-sysctl.d/99-protect-links.conf"),
        conf,
    ]


def test_normal_key_and_globs():
    assert system.normal_key("net/ipv4/conf/eth0.100/rp_filter") == "net.ipv4.conf.eth0/100.rp_filter"
    assert system.normal_key("-kernel.yama.ptrace_scope") == "kernel.yama.ptrace_scope"
    values = {"net.ipv4.conf.*.rp_filter": ("2", "a line 1"), "net.ipv4.conf.all.rp_filter": ("0", "b line 1")}
    assert system.configured(values, "net.ipv4.conf.all.rp_filter") == ("0", "b line 1")
    assert system.configured(values, "net.ipv4.conf.default.rp_filter") == ("2", "a line 1")


def test_kern_04_debian12_container(tmp_path):
    dirs, conf = sysctl_args(tmp_path)
    sys_dir = proc_sys(
        tmp_path,
        {"fs.protected_hardlinks": 1, "fs.protected_symlinks": 0, "fs.protected_fifos": 0, "fs.protected_regular": 0},
    )
    res = system.kernel_checker("KERN-04")(make_ctx(), dirs, conf, sys_dir)
    lib = SYSCTL_D12 / "usr/lib/sysctl.d/99-protect-links.conf"
    assert res.status == "warn"
    assert res.evidence == [
        "fs.protected_hardlinks: running 1, configured 1 (%s line 8)" % lib,
        "fs.protected_symlinks: running 0, configured 1 (%s line 10): configured but not applied" % lib,
        "fs.protected_fifos: running 0, configured 1 (%s line 7): configured but not applied" % lib,
        "fs.protected_regular: running 0, configured 2 (%s line 9): configured but not applied" % lib,
    ]


def test_kern_statuses(tmp_path):
    dirs, conf = sysctl_args(tmp_path, {"90-harden.conf": "kernel.kptr_restrict=1\n; comment\nbogus line\n"})
    sys_dir = proc_sys(tmp_path, {"kernel.kptr_restrict": 0, "kernel.dmesg_restrict": 1, "net.ipv4.tcp_syncookies": 0})
    ctx = make_ctx()
    assert system.kernel_checker("KERN-02")(ctx, dirs, conf, sys_dir).status == "warn"
    assert system.kernel_checker("KERN-03")(ctx, dirs, conf, sys_dir).status == "pass"
    res = system.kernel_checker("KERN-12")(ctx, dirs, conf, sys_dir)
    assert (res.status, res.evidence) == ("fail", ["net.ipv4.tcp_syncookies: running 0, configured (not set): want 1"])
    res = system.kernel_checker("KERN-01")(ctx, dirs, conf, sys_dir)
    assert res.evidence == ["kernel.yama.ptrace_scope: running (absent), configured (not set): want 1 or 2 or 3"]
    # IPv6 keys are optional: a kernel without IPv6 only reports the IPv4 ones.
    sys_dir = proc_sys(
        tmp_path / "v4", {"net.ipv4.conf.all.accept_redirects": 0, "net.ipv4.conf.default.accept_redirects": 0}
    )
    res = system.kernel_checker("KERN-07")(make_ctx(), dirs, conf, sys_dir)
    assert (res.status, len(res.evidence)) == ("pass", 2)


def fake_proc(tmp_path, pids):
    for pid in pids:
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "status").write_text("Name:\tx\nTgid:\t%d\n" % pid)
    (tmp_path / "sys" / "kernel").mkdir(parents=True)
    (tmp_path / "sys" / "kernel" / "pid_max").write_text("4194304\n")
    return str(tmp_path)


def test_sys_01_hidden_process(tmp_path, monkeypatch):
    proc = fake_proc(tmp_path, [1, 30, 45])
    alive = {1, 30, 45, 46, 777}
    # 46 is a thread of 45: its status says Tgid 45.
    real_read = system.read_optional

    def read_optional(path):
        if path == os.path.join(proc, "46", "status"):
            return "Tgid:\t45\n"
        return real_read(path)

    monkeypatch.setattr(system, "read_optional", read_optional)
    res = system.sys_01_hidden(make_ctx(proc=proc), probe=lambda pid: pid in alive)
    assert res.status == "fail"
    assert res.evidence == [
        "PID 777 answers kill(pid, 0) but is not in the %s listing" % proc,
        "scanned all 4141 PIDs up to 4141 (pid_max 4194304)",
    ]


def test_sys_01_clean(tmp_path):
    proc = fake_proc(tmp_path, [1, 2])
    res = system.sys_01_hidden(make_ctx(proc=proc), probe=lambda pid: pid in (1, 2))
    assert res.evidence == ["2 processes listed, none hidden; scanned all 4098 PIDs up to 4098 (pid_max 4194304)"]


def test_scan_range_samples_large_ranges():
    pids, full = system.scan_range(1_000_000, 4_194_304)
    assert full is False
    assert pids[-1] == 1_004_096 and len(pids) <= system.SCAN_FULL + 1
    assert pids[-32768] == 1_004_096 - 32767


def test_sys_02_debian12_container():
    res = system.sys_02_resources(make_ctx(proc=str(AUDIT / "proc-d12")), cpus=2)
    text = (AUDIT / "proc-d12" / "loadavg").read_text().split()
    assert res.status == "pass"
    assert res.evidence[1] == "load %s %s %s (2 CPUs)" % tuple(text[:3])
    assert res.evidence[2].startswith("memory: ") and res.evidence[2].endswith(" MiB")


StatVfs = namedtuple("StatVfs", "f_blocks f_bavail")


def test_sys_03_free_space():
    ctx = make_ctx()
    ctx.cache["mounts"] = files.parse_mountinfo((AUDIT / "mountinfo" / "debian12-container").read_text())
    sizes = {"/": StatVfs(1000, 50), "/dev": StatVfs(100, 100), "/dev/shm": StatVfs(100, 100), "/run": StatVfs(100, 90)}

    def statvfs(path):
        if path in sizes:
            return sizes[path]
        return StatVfs(0, 0)

    res = system.sys_03_free_space(ctx, statvfs)
    assert res.status == "warn"
    assert res.evidence[0] == "/ (overlay): 5.0% free"
    assert "/proc (proc): 100.0% free" not in res.evidence


def test_sys_04_logs(tmp_path):
    (tmp_path / "apache2").mkdir()
    with open(str(tmp_path / "apache2" / "access.log"), "wb") as f:
        f.truncate(3 * 1024 * 1024)
    (tmp_path / "syslog").write_text("x")
    ctx = make_ctx({"log_size_threshold_mb": 2})
    res = system.sys_04_logs(ctx, str(tmp_path))
    assert (res.status, res.evidence) == ("warn", ["%s: 3.0 MiB" % (tmp_path / "apache2" / "access.log")])
    ctx.options["log_size_threshold_mb"] = 100
    assert system.sys_04_logs(ctx, str(tmp_path)).evidence == ["2 files under %s, none above 100 MB" % tmp_path]
    assert system.sys_04_logs(ctx, "/nonexistent").status == "not_applicable"


@pytest.mark.parametrize("check_id", sorted(system.KERNEL_CHECKS))
def test_every_kernel_check_runs(tmp_path, check_id):
    dirs, conf = sysctl_args(tmp_path)
    res = system.kernel_checker(check_id)(make_ctx(), dirs, conf, str(tmp_path / "empty"))
    assert res.status in ("fail", "warn", "not_applicable")
