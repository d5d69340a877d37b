#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: inetd_conf
short_description: Disable unneeded inetd and xinetd services and wrap the kept ones with tcpd
version_added: 1.0.0
description:
  - Disables every inetd or xinetd service that is not on the keep list, so that only the
    services the host needs stay enabled.
  - For C(inetd.conf) (openbsd-inetd, inetutils-inetd), a service is disabled the way
    C(update-inetd --disable) does it, by prefixing its line with C(#<off>#), so
    C(update-inetd) still understands the file. Kept services are routed through TCP
    wrappers (C(tcpd)).
  - For xinetd, every file in the C(xinetd.d) directory is read, except the names xinetd
    itself skips (names containing a dot or ending in C(~)). A service block is disabled by
    setting C(disable = yes). xinetd does TCP wrapping itself (libwrap), so no xinetd file
    is rewritten for wrapping and services report C(wrapped) as C(null).
  - The module never enables a service. All other lines are kept byte for byte.
  - When O(path) does not exist, the module returns RV(exists=false) and changes nothing.
author: bastion.hardening maintainers (!UNKNOWN)
options:
  path:
    description:
      - For O(format=inetd), the C(inetd.conf) file; defaults to C(/etc/inetd.conf).
      - For O(format=xinetd), the directory of service files; defaults to C(/etc/xinetd.d).
        C(xinetd.conf) itself is not read, nor are C(include) and C(includedir) lines followed.
    type: path
  format:
    description:
      - The configuration format of O(path).
    type: str
    choices: [inetd, xinetd]
    default: inetd
  keep:
    description:
      - Names of the services that stay enabled.
      - A name is the bare service name, without listen address (C(127.0.0.1:telnet) is
        C(telnet)) or RPC versions (C(rstatd/1-3) is C(rstatd)). For xinetd, the name after
        C(service).
    type: list
    elements: str
    default: []
  disable:
    description:
      - Names of services to disable, also when O(disable_unlisted=false).
      - A name may not be both in O(keep) and in O(disable).
    type: list
    elements: str
    default: []
  disable_unlisted:
    description:
      - Disable every enabled service that is not in O(keep).
    type: bool
    default: true
  wrap:
    description:
      - For O(format=inetd), rewrite every service that stays enabled to run through
        O(tcpd_path), unless it is in O(no_wrap), is C(internal), is an RPC service
        (protocol C(rpc/*)) or already runs through C(tcpd).
      - The server path becomes the first argument, so
        C(talk dgram udp wait nobody.tty /usr/sbin/in.talkd in.talkd) becomes
        C(talk dgram udp wait nobody.tty /usr/sbin/tcpd /usr/sbin/in.talkd), tab separated.
      - Ignored for O(format=xinetd).
    type: bool
    default: true
  no_wrap:
    description:
      - Names of services that are not wrapped with tcpd.
    type: list
    elements: str
    default: []
  tcpd_path:
    description:
      - Path of the TCP wrappers daemon used by O(wrap).
    type: path
    default: /usr/sbin/tcpd
  backup:
    description:
      - Back up each file before writing it, with a time stamp in the backup's name.
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
  - Service names in O(keep), O(disable) and O(no_wrap) must not contain whitespace, C(#),
    C(/) or C(:). A unix socket service of inetd is named by its path, so it can be kept only
    with O(disable_unlisted=false).
  - An enabled C(inetd.conf) line that cannot be parsed, and a xinetd file with a missing
    C({), an unterminated block or an attribute line without C(=), make the module fail
    before any file is written.
  - BSD continuation lines (a line starting with whitespace right after an entry) are
    reported as a parse error rather than guessed at.
  - The C(enabled) and C(disabled) service lists of xinetd's C(defaults) section are not
    read.
  - Restart or reload inetd or xinetd after a change; this module only edits files.
seealso:
  - name: inetd.conf(5)
    description: The inetd configuration file format.
    link: https://manpages.debian.org/stable/openbsd-inetd/inetd.8.en.html
  - name: xinetd.conf(5)
    description: The xinetd configuration file format.
    link: https://manpages.debian.org/stable/xinetd/xinetd.conf.5.en.html
"""

EXAMPLES = r"""
- name: Disable every inetd service but finger and talk, and wrap those with tcpd
  bastion.hardening.inetd_conf:
    keep:
      - finger
      - talk
    backup: true

- name: Disable telnet and the r-services, leave the rest alone
  bastion.hardening.inetd_conf:
    disable: [telnet, shell, login, exec]
    disable_unlisted: false
    wrap: false

- name: Disable every xinetd service
  bastion.hardening.inetd_conf:
    format: xinetd

- name: Audit without changing anything
  bastion.hardening.inetd_conf:
    keep: "{{ inetd_keep }}"
  check_mode: true
  register: __inetd_audit
"""

RETURN = r"""
exists:
  description: Whether O(path) exists. When false, nothing else was done.
  returned: always
  type: bool
  sample: true
services:
  description:
    - Every service entry found, in file order.
    - For inetd, the enabled entries and those disabled with C(#<off>#); lines commented out
      with a plain C(#) are not service entries.
    - For xinetd, every C(service) block.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Bare service name.
      type: str
      sample: talk
    id:
      description: The xinetd block's C(id) attribute, null when it has none.
      type: str
      returned: when O(format=xinetd)
      sample: chargen-stream
    file:
      description: File the service is defined in.
      type: str
      sample: /etc/inetd.conf
    line:
      description: Line number of the entry (xinetd, of its C(service) line).
      type: int
      sample: 30
    enabled:
      description: Whether the service is enabled after the run.
      type: bool
      sample: true
    socket_type:
      description: Socket type, null when an xinetd block does not set it.
      type: str
      sample: dgram
    protocol:
      description: Protocol, null when an xinetd block does not set it.
      type: str
      sample: udp
    user:
      description: User (and group) the server runs as, null when an xinetd block does not set it.
      type: str
      sample: nobody.tty
    server:
      description: Server program, C(internal) for an inetd internal service, null when an xinetd block does not set it.
      type: str
      sample: /usr/sbin/tcpd
    args:
      description: For inetd the argument vector including argv[0]; for xinetd the words of C(server_args).
      type: list
      elements: str
      sample: [/usr/sbin/in.talkd]
    internal:
      description: Whether the service is built into inetd or xinetd.
      type: bool
      sample: false
    wrapped:
      description: For inetd, whether the entry runs through tcpd after the run. Null for xinetd.
      type: bool
      sample: true
    action:
      description:
        - V(disabled) was enabled and is disabled by this run; V(wrapped) stays enabled and
          is rewritten through tcpd by this run; V(kept) stays enabled as it is;
          V(unchanged) was already disabled.
      type: str
      sample: wrapped
disabled:
  description: Names of the services this run disabled (or would disable in check mode).
  returned: always
  type: list
  elements: str
  sample: [telnet, shell]
wrapped:
  description: Names of the services this run wrapped with tcpd (or would in check mode).
  returned: always
  type: list
  elements: str
  sample: [talk]
enabled:
  description: Names of the services enabled after the run.
  returned: always
  type: list
  elements: str
  sample: [finger, talk]
backup_files:
  description: Backup files written, one for each changed file when O(backup=true).
  returned: always
  type: list
  elements: str
  sample: [/etc/inetd.conf.12345.2024-01-01@00:00:00~]
"""

# Ansible modules import after DOCUMENTATION/EXAMPLES/RETURN (validate-modules).
import os  # noqa: E402
import tempfile  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.bastion.hardening.plugins.module_utils.inetd import (  # noqa: E402
    InetdParseError,
    Policy,
    PolicyError,
    plan_inetd,
    plan_xinetd_file,
    summarize,
    xinetd_skips,
)

DEFAULT_PATHS = {"inetd": "/etc/inetd.conf", "xinetd": "/etc/xinetd.d"}


def read_text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "surrogateescape")


def write_text(module, path, text):
    """Write ``text`` to ``path`` atomically, keeping the file's mode and owner."""
    dest = os.path.realpath(path)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest), prefix=".ansible_inetd_conf.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8", "surrogateescape"))
        module.atomic_move(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def xinetd_files(directory):
    names = sorted(os.listdir(directory))
    paths = [os.path.join(directory, name) for name in names if not xinetd_skips(name)]
    return [path for path in paths if os.path.isfile(path)]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path"),
            format=dict(type="str", choices=["inetd", "xinetd"], default="inetd"),
            keep=dict(type="list", elements="str", default=[]),
            disable=dict(type="list", elements="str", default=[]),
            disable_unlisted=dict(type="bool", default=True),
            wrap=dict(type="bool", default=True),
            no_wrap=dict(type="list", elements="str", default=[]),
            tcpd_path=dict(type="path", default="/usr/sbin/tcpd"),
            backup=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    fmt = params["format"]
    path = params["path"] or DEFAULT_PATHS[fmt]
    result = dict(changed=False, exists=False, services=[], disabled=[], wrapped=[], enabled=[], backup_files=[])

    try:
        policy = Policy(
            keep=params["keep"],
            disable=params["disable"],
            disable_unlisted=params["disable_unlisted"],
            wrap=params["wrap"],
            no_wrap=params["no_wrap"],
            tcpd_path=params["tcpd_path"],
        )
    except PolicyError as e:
        module.fail_json(msg=str(e))

    if not os.path.exists(path):
        module.exit_json(**result)
    result["exists"] = True

    if fmt == "inetd":
        if not os.path.isfile(path):
            module.fail_json(msg="%s is not a file (format inetd expects inetd.conf)" % path)
        files, plan = [path], plan_inetd
    else:
        if not os.path.isdir(path):
            module.fail_json(msg="%s is not a directory (format xinetd expects xinetd.d)" % path)
        files, plan = xinetd_files(path), plan_xinetd_file

    # Work out every file's target content before writing any.
    planned = []
    try:
        for name in files:
            before = read_text(name)
            after, services = plan(before, name, policy)
            result["services"].extend(services)
            planned.append((name, before, after))
    except InetdParseError as e:
        module.fail_json(msg=str(e))
    except (IOError, OSError) as e:
        module.fail_json(msg="cannot read %s: %s" % (name, e))

    changes = [(name, before, after) for name, before, after in planned if after != before]
    result.update(summarize(result["services"]))
    result["changed"] = bool(changes)
    if module._diff:
        diffs = [
            dict(before=before, after=after, before_header=name, after_header=name)
            for name, before, after in (planned if fmt == "inetd" else changes)
        ]
        result["diff"] = diffs[0] if fmt == "inetd" else diffs

    if module.check_mode:
        module.exit_json(**result)

    for name, _before, after in changes:
        if params["backup"]:
            result["backup_files"].append(module.backup_local(name))
        write_text(module, name, after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
