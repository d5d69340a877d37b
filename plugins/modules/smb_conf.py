#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: smb_conf
short_description: Set parameters in existing sections of smb.conf, keeping the rest of the file
version_added: 1.0.0
description:
  - Sets or removes parameters of C([global]) and of existing share sections of a Samba
    configuration file in one edit, and writes the file once.
  - Parameter and section names are matched the way Samba does, without regard to case or
    spaces (C(hosts allow) is C(Hosts Allow) and C(hostsallow)). A parameter that appears
    more than once in a section keeps its first line, rewritten, and loses the others.
    A new parameter goes after the last parameter of its section, with the same indent.
  - Every other line is kept byte for byte, comments and commented examples included.
  - Share sections are never created, a share named in O(sections) that is not in the file
    is an error. The global section is added at the top when missing.
author: bastion.hardening maintainers (!UNKNOWN)
options:
  path:
    description: The Samba configuration file. It must exist.
    type: path
    default: /etc/samba/smb.conf
  sections:
    description:
      - Parameters to set, by section name, as a dict of parameter name to value.
      - A value of V(null) removes the parameter from that section.
    type: dict
    default: {}
  all_shares:
    description:
      - Parameters to set (or, with V(null), remove) in every section but C([global]).
    type: dict
    default: {}
  validate:
    description:
      - A command that checks the new file before it replaces the old one, with C(%s) for
        the path of the candidate, e.g. C(testparm -s %s). A non-zero exit fails the task
        and leaves the file alone. Run in check mode too.
    type: str
  backup:
    description: Keep a copy of the old file, with a timestamp in its name.
    type: bool
    default: false
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
notes:
  - C(testparm) exits 0 when it ignores an unknown parameter; give O(validate) a command that
    also fails on its C(Unknown parameter) message (the C(samba) role does).
"""

EXAMPLES = r"""
- name: Bind Samba to loopback and refuse SMB1
  bastion.hardening.smb_conf:
    sections:
      global:
        bind interfaces only: "yes"
        interfaces: lo 127.0.0.1
        server min protocol: SMB2_02
      public:
        hosts allow: 10.0.0.0/8
    all_shares:
      guest ok: "no"
    validate: testparm -s %s
    backup: true
"""

RETURN = r"""
changes:
  description: The parameters set or removed, as C([section] name = value).
  returned: always
  type: list
  elements: str
  sample: ["[global] bind interfaces only = yes"]
backup_file:
  description: The copy of the old file.
  returned: when a backup was made
  type: str
  sample: /etc/samba/smb.conf.1234.2026-11-22@05:40:00~
"""

import os  # noqa: E402
import tempfile  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.common.text.converters import to_native  # noqa: E402
from ansible_collections.bastion.hardening.plugins.module_utils.smb_conf import SmbConfError, edit  # noqa: E402


def _validate(module, path, text, command):
    fd, tmp = tempfile.mkstemp(prefix=".smb_conf.", dir=module.tmpdir)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        rc, out, err = module.run_command(command % tmp, use_unsafe_shell=False)
    finally:
        os.unlink(tmp)
    if rc != 0:
        module.fail_json(
            msg="validating the new %s failed (%s, exit %d): %s" % (path, command, rc, (out + err).strip()),
            rc=rc,
            stdout=out,
            stderr=err,
        )


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/samba/smb.conf"),
            sections=dict(type="dict", default={}),
            all_shares=dict(type="dict", default={}),
            validate=dict(type="str"),
            backup=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    path = module.params["path"]
    command = module.params["validate"]
    if command is not None and "%s" not in command:
        module.fail_json(msg="validate must contain %%s: %s" % command)
    if not os.path.isfile(path):
        module.fail_json(msg="%s does not exist or is not a file" % path)
    try:
        with open(path, "r") as handle:
            before = handle.read()
    except (IOError, OSError, UnicodeDecodeError) as exc:
        module.fail_json(msg="cannot read %s: %s" % (path, to_native(exc)))

    try:
        after, changes = edit(before, module.params["sections"], module.params["all_shares"])
    except SmbConfError as exc:
        module.fail_json(msg="%s: %s" % (path, to_native(exc)))

    result = dict(changed=after != before, changes=changes)
    if module._diff:
        result["diff"] = dict(before=before, after=after, before_header=path, after_header=path)
    if result["changed"] and command:
        _validate(module, path, after, command)
    if result["changed"] and not module.check_mode:
        if module.params["backup"]:
            result["backup_file"] = module.backup_local(path)
        fd, tmp = tempfile.mkstemp(prefix=".smb_conf.", dir=os.path.dirname(path) or ".")
        with os.fdopen(fd, "w") as handle:
            handle.write(after)
        module.atomic_move(tmp, path, unsafe_writes=False)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
