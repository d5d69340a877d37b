"""Malformed input: the role must stop in validation, before any change, and name the
variable. On the unhardened soft target /dev/shm allows exec: the probe fails there."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

testinfra_hosts = ["targets"]

CASES = {
    "wrong-type": ({"tmp_live_enabled": "perhaps"}, "tmp_live_enabled"),
    "unknown-method": ({"tmp_tmp_method": "tmpfs"}, "tmp_tmp_method"),
    "unknown-var-tmp-mode": ({"tmp_var_tmp_mode": "tmp"}, "tmp_var_tmp_mode"),
    "option-in-size": ({"tmp_tmp_size": "1G,exec"}, "tmp_tmp_size"),
    "space-in-size": ({"tmp_tmp_size": "1G 0 0\ntmpfs /mnt tmpfs exec"}, "tmp_tmp_size"),
    "zero-size": ({"tmp_tmp_size": "0"}, "tmp_tmp_size"),
    "over-100-percent": ({"tmp_tmp_size": "150%"}, "tmp_tmp_size"),
    "list-as-size": ({"tmp_tmp_size": ["1G"]}, "tmp_tmp_size"),
}


def fingerprint(host):
    return host.check_output(
        "sha256sum /etc/fstab; cat /etc/systemd/system/tmp.mount 2>/dev/null; "
        "findmnt -n -o TARGET,VFS-OPTIONS --mountpoint /tmp; findmnt -n -o TARGET,VFS-OPTIONS --mountpoint /dev/shm"
    )


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(
        host,
        tmp_path,
        SCENARIO,
        CASES,
        "TMP-",
        fingerprint,
        "findmnt -n -o VFS-OPTIONS --mountpoint /dev/shm | grep -qw noexec",
    )
