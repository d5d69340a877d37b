#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: file_walk
short_description: List SUID/SGID, world-writable and unowned files with the audit's filesystem walk
version_added: 1.0.0
description:
  - Runs the one filesystem walk of M(bastion.hardening.audit_facts) (the same code and the same
    options, so no symlink is followed, network and pseudo file systems are not entered, and the
    walk stops after O(walk_time_budget)) and returns what the PERM-06 to PERM-09 checks look at, as data, with
    the mode each file would get when fixed.
  - Changes nothing; C(changed) is always C(false) and check mode returns the same data. The
    permissions role applies the fixes with M(ansible.builtin.file), which gives check mode and diff.
author: bastion.hardening maintainers (!UNKNOWN)
options:
  suid_allowlist:
    description:
      - Paths of the SUID/SGID files that are expected (default, the audit's list of stock Debian
        11, 12 and 13 servers). Compared as given and after resolving symlinks.
    type: list
    elements: path
  suid_remove:
    description:
      - Paths of the SUID/SGID files whose bits should go. Entries of this list are marked
        C(remove) even when they are on O(suid_allowlist).
    type: list
    elements: path
    default: []
  walk_roots:
    description: Directories the walk starts from.
    type: list
    elements: path
    default: ["/"]
  walk_time_budget:
    description: Seconds the walk may take; when used up, C(walk.complete) is C(false).
    type: float
    default: 60
  skip_fstypes:
    description:
      - File system types the walk does not enter (shell patterns); the audit module's default.
    type: list
    elements: str
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
notes:
  - Run as root, or unreadable directories are not walked.
seealso:
  - module: bastion.hardening.audit_facts
"""

EXAMPLES = r"""
- name: List the files the permissions role may fix
  bastion.hardening.file_walk:
    suid_remove: [/usr/bin/at, /usr/bin/chfn]
  register: walk

- name: Remove the SUID/SGID bits of the listed binaries
  ansible.builtin.file:
    path: "{{ item.path }}"
    mode: "{{ item.mode_after }}"
  loop: "{{ walk.special | selectattr('remove') }}"
"""

RETURN = r"""
walk:
  description: The walk's summary (as in the audit's C(bastion_audit.walk)).
  returned: always
  type: dict
  sample: {"files": 20112, "directories": 2410, "seconds": 0.21, "complete": true, "skipped_mounts": ["/proc"]}
special:
  description: Regular files with the SUID or SGID bit.
  returned: always
  type: list
  elements: dict
  sample:
    - {"path": "/usr/bin/at", "mode": "6755", "uid": 1, "gid": 1, "allowed": false, "remove": true,
       "mode_after": "0755"}
world_writable_files:
  description: Regular files writable by others; C(mode_after) without C(o+w).
  returned: always
  type: list
  elements: dict
  sample: [{"path": "/srv/share/notes.txt", "mode": "0666", "mode_after": "0664"}]
world_writable_dirs:
  description: World-writable directories without the sticky bit; C(mode_after) with it.
  returned: always
  type: list
  elements: dict
  sample: [{"path": "/srv/drop", "mode": "0777", "mode_after": "1777"}]
unowned:
  description:
    - Entries whose uid is not in /etc/passwd or gid not in /etc/group; C(kind) is C(file),
      C(directory), C(link) or C(other).
  returned: always
  type: list
  elements: dict
  sample:
    - {"path": "/opt/app/data", "kind": "directory", "uid": 1234, "gid": 1234, "owner_known": false,
       "group_known": false}
"""

# Ansible modules import after DOCUMENTATION/EXAMPLES/RETURN (validate-modules).
import os  # noqa: E402
import stat  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import (  # noqa: E402
    DEFAULT_SUID_ALLOWLIST,
    SKIP_FSTYPES,
    Context,
    read_id_names,
)
from ansible_collections.bastion.hardening.plugins.module_utils.audit.files import run_walk, walk_summary  # noqa: E402

ARGUMENT_SPEC = dict(
    suid_allowlist=dict(type="list", elements="path"),
    suid_remove=dict(type="list", elements="path", default=[]),
    walk_roots=dict(type="list", elements="path", default=["/"]),
    walk_time_budget=dict(type="float", default=60),
    skip_fstypes=dict(type="list", elements="str"),
)


def _octal(mode):
    return "%04o" % (mode & 0o7777)


def _kind(path):
    """file, directory, link or other (device, socket, fifo; gone since the walk)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "other"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    return "link" if stat.S_ISLNK(mode) else "other"


def _paths(values):
    """The paths as given and resolved (a listed /bin/su matches the walk's /usr/bin/su)."""
    return set(values) | set(os.path.realpath(v) for v in values)


def scan(options, proc="/proc", passwd="/etc/passwd", group="/etc/group"):
    """The module's result (without changed) for ``options``; ``proc`` and the id files are for tests."""
    ctx = Context(
        {
            "walk_roots": options["walk_roots"],
            "walk_time_budget": options["walk_time_budget"],
            "skip_fstypes": options["skip_fstypes"],
        },
        proc=proc,
    )
    result = run_walk(ctx, passwd=passwd, group=group)
    allowed = _paths(options["suid_allowlist"])
    remove = _paths(options["suid_remove"])
    uids = set(read_id_names(passwd).values())
    gids = set(read_id_names(group).values())
    return {
        "walk": walk_summary(result),
        "special": [
            {
                "path": path,
                "mode": _octal(mode),
                "uid": uid,
                "gid": gid,
                "allowed": path in allowed,
                "remove": path in remove,
                "mode_after": _octal(mode & ~0o6000),
            }
            for path, mode, uid, gid in result["special"]
        ],
        "world_writable_files": [
            {"path": path, "mode": _octal(mode), "mode_after": _octal(mode & ~0o002)}
            for path, mode in result["world_writable_files"]
        ],
        "world_writable_dirs": [
            {"path": path, "mode": _octal(mode), "mode_after": _octal(mode | 0o1000)}
            for path, mode in result["world_writable_dirs"]
        ],
        "unowned": [
            {
                "path": path,
                "kind": _kind(path),
                "uid": uid,
                "gid": gid,
                "owner_known": uid in uids,
                "group_known": gid in gids,
            }
            for path, uid, gid in result["unowned"]
        ],
    }


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    options = dict(module.params)
    if options["suid_allowlist"] is None:
        options["suid_allowlist"] = list(DEFAULT_SUID_ALLOWLIST)
    if options["skip_fstypes"] is None:
        options["skip_fstypes"] = list(SKIP_FSTYPES)
    for name in ("suid_allowlist", "suid_remove", "walk_roots"):
        for path in options[name]:
            if not os.path.isabs(path):
                module.fail_json(msg="%s: %r is not an absolute path" % (name, path))
    if options["walk_time_budget"] < 0:
        module.fail_json(msg="walk_time_budget: must not be negative, got %r" % options["walk_time_budget"])
    module.exit_json(changed=False, **scan(options))


if __name__ == "__main__":
    main()
