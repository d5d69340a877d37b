"""tmp role in containers with CAP_SYS_ADMIN (never privileged), Debian 11, 12 and 13.

What a container proves: the /etc/fstab lines and the tmp.mount unit (content, syntax by
findmnt --verify and systemd-analyze verify, the unit systemd loads), the live per-mount options
(the containers may mount: /tmp is mounted by the role on 11 and 12, remounted on 13), that a
program in /tmp does not run and that a SUID file there does not raise privileges. What it does
not prove: a boot with these files (a container boots from its image, not from /etc/fstab; the
files apply at a real host's next boot), and the deferral of a new mount over a busy /tmp is
seen only as the message and the /var/tmp line of bastion-tmp-13 (bind_tmp, not mounted now).

Every test fails on the soft target: no lines, no unit, /tmp and /var/tmp not mounted (13: /tmp
without noexec), /dev/shm allowing exec, and the TMP audit checks failing."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "shared"))

from audit_harness import audit_before, audit_now  # noqa: E402

testinfra_hosts = ["targets"]

OPTIONS = {"nodev", "nosuid", "noexec"}
UNIT = "/etc/systemd/system/tmp.mount"


def variables(host):
    return host.ansible.get_variables()


def fstab(host):
    """{mount point: line} of the non-comment lines of /etc/fstab."""
    lines = host.file("/etc/fstab").content_string.splitlines()
    return {line.split()[1]: line for line in lines if line.strip() and not line.lstrip().startswith("#")}


def vfs_options(host, path):
    """The per-mount options of the mount at PATH, or None when it is not a mount point."""
    result = host.run("findmnt -n -o VFS-OPTIONS --mountpoint %s", path)
    return set(result.stdout.split()[-1].split(",")) if result.rc == 0 else None


def test_fstab_lines(host):
    v = variables(host)
    lines = fstab(host)
    assert lines["/dev/shm"] == "tmpfs /dev/shm tmpfs rw,nodev,nosuid,noexec 0 0"
    source = "/tmp" if v.get("tmp_var_tmp_mode") == "bind_tmp" else "/var/tmp"
    assert lines["/var/tmp"] == "%s /var/tmp none bind,nodev,nosuid,noexec 0 0" % source
    if v.get("tmp_tmp_method") == "fstab":
        assert lines["/tmp"] == "tmpfs /tmp tmpfs rw,nodev,nosuid,noexec,size=50%,mode=1777 0 0"
        assert not host.file(UNIT).exists
    else:
        assert "/tmp" not in lines
    assert host.run("findmnt --verify --tab-file /etc/fstab").rc == 0


def test_tmp_mount_unit(host):
    if variables(host).get("tmp_tmp_method") == "fstab":
        return
    unit = host.file(UNIT)
    assert (unit.user, unit.group, unit.mode) == ("root", "root", 0o644)
    assert "Options=mode=1777,nodev,nosuid,noexec,size=50%%\n" in unit.content_string
    assert host.file("/etc/systemd/system/local-fs.target.wants/tmp.mount").linked_to == UNIT
    # The unit systemd uses is the role's, and it is valid.
    assert host.check_output("systemctl show -P FragmentPath tmp.mount") == UNIT
    assert host.run("systemctl show -P UnitFileState tmp.mount").stdout.strip() in ("enabled", "static")
    assert host.run("cd /etc/systemd/system && systemd-analyze verify tmp.mount").rc == 0


def test_live_options(host):
    assert vfs_options(host, "/tmp") >= OPTIONS
    assert vfs_options(host, "/dev/shm") >= OPTIONS
    if variables(host).get("tmp_var_tmp_mode") == "bind_tmp":
        # A bind of /tmp would hide what /var/tmp holds: written, not mounted (tmp_mount_new_live off).
        assert vfs_options(host, "/var/tmp") is None
    else:
        assert vfs_options(host, "/var/tmp") >= OPTIONS


def test_programs_do_not_run_there(host):
    paths = ["/tmp", "/dev/shm"] + ([] if variables(host).get("tmp_var_tmp_mode") == "bind_tmp" else ["/var/tmp"])
    for path in paths:
        probe = "%s/bastion-exec-probe" % path
        host.check_output("cp /bin/true %s && chmod 0755 %s", probe, probe)
        try:
            result = host.run(probe)
        finally:
            host.run("rm -f %s", probe)
        assert result.rc == 126 and "Permission denied" in result.stderr, (path, result.rc, result.stderr)


def test_suid_does_not_elevate_in_tmp(host):
    # noexec already stops the program; to see nosuid alone, a private mount namespace (unshare,
    # nothing outside it changes) lets /tmp execute again and runs a SUID-root copy of id as
    # nobody: it stays nobody. With suid allowed too it becomes root: the test can fail.
    script = (
        "set -e; cp /usr/bin/id /tmp/bastion-suid-probe; chmod 4755 /tmp/bastion-suid-probe; "
        "unshare -m sh -c 'mount --target /tmp -o remount,exec && "
        "setpriv --reuid=65534 --regid=65534 --clear-groups /tmp/bastion-suid-probe -u && "
        "mount --target /tmp -o remount,exec,suid && "
        "setpriv --reuid=65534 --regid=65534 --clear-groups /tmp/bastion-suid-probe -u'"
    )
    try:
        result = host.run(script)
    finally:
        host.run("rm -f /tmp/bastion-suid-probe")
    assert result.rc == 0, result.stderr
    assert result.stdout.split() == ["65534", "0"], result.stdout
    # The namespace's remount did not reach the real /tmp.
    assert vfs_options(host, "/tmp") >= OPTIONS


def test_audit_fail_before_pass_after(host):
    ids = ["TMP-01", "TMP-02", "TMP-03"]
    before, params = audit_before(host)
    after = audit_now(host, ids, params)
    for check_id in ids:
        assert before[check_id]["status"] == "fail", ("before", check_id, before[check_id])
    deferred = ["TMP-02"] if variables(host).get("tmp_var_tmp_mode") == "bind_tmp" else []
    for check_id in ids:
        want = "fail" if check_id in deferred else "pass"
        assert after[check_id]["status"] == want, ("after", check_id, after[check_id])
