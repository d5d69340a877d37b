#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: file_modes
short_description: Set the owner, group and mode (exact or at most) of many files in one call
version_added: 1.0.0
description:
  - Sets the owner and group of each of O(paths), takes away the mode bits outside O(max_mode) (a
    file already stricter keeps its mode) and adds those of O(add_mode).
  - Symlinks are never followed (left alone and listed in C(symlinks)); a missing path is
    listed in C(missing), not an error. The owner is set before the mode, because changing the owner
    of a file clears its SUID/SGID bits.
  - One call for a whole list. The permissions role uses it where a loop of M(ansible.builtin.file)
    would cost one module run per file.
author: bastion.hardening maintainers (!UNKNOWN)
options:
  paths:
    description: Absolute paths of the files and directories.
    type: list
    elements: path
    required: true
  max_mode:
    description: Maximum mode, octal string (C("0640")); the bits outside it are removed.
    type: str
    default: "7777"
  add_mode:
    description: Bits to add, octal string (C("1000"), the sticky bit).
    type: str
    default: "0000"
  owner:
    description: User name; unchanged when omitted.
    type: str
  group:
    description: Group name; unchanged when omitted.
    type: str
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
"""

EXAMPLES = r"""
- name: Shadow files root:shadow, 0640 at most
  bastion.hardening.file_modes:
    paths: [/etc/shadow, /etc/gshadow]
    owner: root
    group: shadow
    max_mode: "0640"

- name: Remove the SUID/SGID bits
  bastion.hardening.file_modes:
    paths: [/usr/bin/at, /usr/bin/chfn]
    max_mode: "1777"
"""

RETURN = r"""
changes:
  description: One entry per file that changed (or would change in check mode).
  returned: always
  type: list
  elements: dict
  sample:
    - {"path": "/etc/shadow", "before": "0644 root:shadow", "after": "0640 root:shadow",
       "line": "/etc/shadow 0644 root:shadow -> 0640 root:shadow"}
missing:
  description: Paths that do not exist (skipped).
  returned: always
  type: list
  elements: str
  sample: ["/etc/ssh/sshd_config"]
symlinks:
  description: Paths that are symlinks (never followed, left alone).
  returned: always
  type: list
  elements: str
  sample: []
"""

# Ansible modules import after DOCUMENTATION/EXAMPLES/RETURN (validate-modules).
import grp  # noqa: E402
import os  # noqa: E402
import pwd  # noqa: E402
import stat  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

ARGUMENT_SPEC = dict(
    paths=dict(type="list", elements="path", required=True),
    max_mode=dict(type="str", default="7777"),
    add_mode=dict(type="str", default="0000"),
    owner=dict(type="str"),
    group=dict(type="str"),
)


def _octal(value, name):
    try:
        mode = int(value, 8)
    except (TypeError, ValueError):
        mode = -1
    if not 0 <= mode <= 0o7777:
        raise ValueError("%s: %r is not an octal mode" % (name, value))
    return mode


def _name(table, ident):
    try:
        return table(ident)[0]
    except KeyError:
        return str(ident)


def _describe(mode, uid, gid):
    return "%04o %s:%s" % (mode, _name(pwd.getpwuid, uid), _name(grp.getgrgid, gid))


def plan(paths, max_mode="7777", add_mode="0000", owner=None, group=None):
    """(changes, missing, symlinks); each change carries what to apply. ValueError names the bad option."""
    keep = _octal(max_mode, "max_mode")
    add = _octal(add_mode, "add_mode")
    try:
        want_uid = None if owner is None else pwd.getpwnam(owner).pw_uid
    except KeyError:
        raise ValueError("owner: no user %r on this host" % owner) from None
    try:
        want_gid = None if group is None else grp.getgrnam(group).gr_gid
    except KeyError:
        raise ValueError("group: no group %r on this host" % group) from None
    changes, missing, symlinks = [], [], []
    for path in paths:
        if not os.path.isabs(path):
            raise ValueError("paths: %r is not an absolute path" % path)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            missing.append(path)
            continue
        if stat.S_ISLNK(st.st_mode):
            symlinks.append(path)
            continue
        mode = st.st_mode & 0o7777
        want = (mode & keep) | add
        uid = st.st_uid if want_uid is None else want_uid
        gid = st.st_gid if want_gid is None else want_gid
        if (want, uid, gid) != (mode, st.st_uid, st.st_gid):
            changes.append(
                {
                    "path": path,
                    "before": _describe(mode, st.st_uid, st.st_gid),
                    "after": _describe(want, uid, gid),
                    "apply": (want, uid, gid, (uid, gid) != (st.st_uid, st.st_gid)),
                }
            )
    return changes, missing, symlinks


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        changes, missing, symlinks = plan(**module.params)
    except ValueError as e:
        module.fail_json(msg=str(e))
    if not module.check_mode:
        for change in changes:
            want, uid, gid, chown = change["apply"]
            try:
                if chown:
                    os.lchown(change["path"], uid, gid)
                os.chmod(change["path"], want)
            except OSError as e:
                module.fail_json(msg="cannot set %s on %s: %s" % (change["after"], change["path"], e))
    result = dict(
        changed=bool(changes),
        changes=[
            dict(
                path=c["path"],
                before=c["before"],
                after=c["after"],
                line="%s %s -> %s" % (c["path"], c["before"], c["after"]),
            )
            for c in changes
        ],
        missing=missing,
        symlinks=symlinks,
    )
    if module._diff:
        result["diff"] = {
            "before": "".join("%s %s\n" % (c["path"], c["before"]) for c in changes),
            "after": "".join("%s %s\n" % (c["path"], c["after"]) for c in changes),
        }
    module.exit_json(**result)


if __name__ == "__main__":
    main()
