"""Malformed input: the role must stop in validation, before any change, and name the
variable. One ansible-playbook run per target, over aliases of that target (one malformed
value each), through the docker connection.

The hardened files must come through unchanged: on the unhardened soft target, where the
files are not the role's yet, the first assertion fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

testinfra_hosts = ["targets"]

FILES = "/etc/exports /etc/nfs.conf /etc/default/rpcbind /etc/systemd/system/rpcbind.socket.d/bastion-internal.conf"
SHARE = {"path": "/srv/nfs/share", "clients": ["172.30.111.100"]}

# alias: (host vars, text the failure message must contain)
CASES = {
    "not-an-address": ({"rpc_internal_addresses": ["127.0.0.1", "300.1.1.1"]}, "rpc_internal_addresses"),
    "host-bits": ({"bastion_trusted_networks": ["172.30.111.1/24"]}, "bastion_trusted_networks"),
    "no-internal-address": ({"rpc_internal_addresses": []}, "rpc_internal_addresses"),
    "space-in-path": ({"rpc_exports": [dict(SHARE, path="/srv/nfs/share *(rw)")]}, "rpc_exports[0]: path"),
    "newline-in-path": ({"rpc_exports": [dict(SHARE, path="/srv/a\n/ *(rw")]}, "rpc_exports[0]: path"),
    "options-in-client": (
        {"rpc_exports": [SHARE, dict(SHARE, path="/srv/b", clients=["host(rw,no_root_squash)"])]},
        "rpc_exports[1]: clients",
    ),
    "bad-address-client": ({"rpc_exports": [dict(SHARE, clients=["300.1.1.1"])]}, "rpc_exports[0]: clients"),
    "comma-in-option": ({"rpc_exports": [dict(SHARE, options=["rw,no_root_squash"])]}, "rpc_exports[0]: options"),
    "no-root-squash-refused": (
        {"rpc_no_root_squash": "fail", "rpc_exports": [dict(SHARE, options=["rw", "no_root_squash"])]},
        "no_root_squash refused",
    ),
    "world-refused": (
        {"rpc_world_clients": "fail", "rpc_exports": [dict(SHARE, clients=["*"])]},
        "world access refused",
    ),
    "path-twice": ({"rpc_exports": [SHARE, dict(SHARE, path="/srv/nfs/share/")]}, "a path is listed twice"),
    "port-out-of-range": ({"rpc_mountd_port": 70000}, "rpc_mountd_port"),
    "port-clash": ({"rpc_statd_port": 32767}, "each needs its own port"),
    "unknown-choice": ({"rpc_world_clients": "allow"}, "rpc_world_clients"),
    "wrong-type": ({"rpc_lockd_port": "any"}, "rpc_lockd_port"),
}


def fingerprint(host):
    # Content of the files and the entries of /etc and /etc/default (a new backup would show).
    return host.check_output("sha256sum %s; ls /etc /etc/default" % FILES)


def test_malformed_input_fails_before_any_change(host, tmp_path):
    check_role(
        host,
        tmp_path,
        SCENARIO,
        CASES,
        "RPC-",
        fingerprint,
        "grep -q '^ListenStream=/run/rpcbind.sock$' %s" % FILES.split()[-1],
    )
