#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: audit_facts
short_description: Audit a host against the bastion.hardening controls and return the result as facts
version_added: 1.0.0
description:
  - Runs every audit check of the collection in one call and returns the results as the
    fact C(bastion_audit). Each check has a stable ID (C(NET-01), C(INETD-04), ...) that is
    also the ID of the hardening task that fixes it; see C(docs/controls.md) and the check
    catalogue C(docs/audit-checks.md).
  - Reads files, C(/proc) and C(/proc/sys), and runs read-only commands (C(apt-get -s upgrade),
    C(dpkg --verify) or C(rpm -Va), C(nft list ruleset) or C(iptables-save)). Changes nothing;
    C(changed) is always C(false) and check mode returns the same data.
  - Listening sockets come from C(/proc/net/{tcp,tcp6,udp,udp6}) and the socket links in
    C(/proc/<pid>/fd); C(netstat) and C(ss) are not used.
  - One filesystem walk from O(walk_roots) (no symlinks followed, skipped file systems not
    entered, stopped after O(walk_time_budget)) feeds the checks for SUID/SGID,
    world-writable and unowned files.
  - With O(smtp_relay_test=true) and something listening on port 25, the module talks SMTP
    to the local MTA (C(EHLO), C(MAIL FROM:<audit@example.org>),
    C(RCPT TO:<relay-test@example.net>), C(RSET), C(QUIT); never C(DATA)). It connects to a
    non-loopback address of the host the MTA listens on, because MTAs trust loopback clients
    by design; when the MTA listens on loopback only, it connects to C(127.0.0.1).
  - An exception inside one check never fails the module; that check reports status
    C(error) with the reason as evidence.
author: bastion.hardening maintainers (!UNKNOWN)
options:
  internal_addresses:
    description:
      - Addresses services may bind to without being listed in O(allowed_services).
        Loopback addresses always count as internal.
    type: list
    elements: str
    default: ["127.0.0.1", "::1"]
  trusted_networks:
    description:
      - Networks (CIDR) that may be granted access in C(hosts.allow), Samba C(hosts allow)
        and BIND address match lists.
    type: list
    elements: str
    default: ["127.0.0.0/8", "::1/128"]
  allowed_services:
    description:
      - Services, as C(proto/port) (C(tcp/22), C(udp/53)), that may listen on any address;
        also the inetd and xinetd services that may stay enabled.
    type: list
    elements: str
    default: ["tcp/22"]
  suid_allowlist:
    description:
      - Paths of the SUID/SGID files that are expected.
      - The default is the SUID/SGID files of stock Debian 11, 12 and 13 servers (base system,
        standard system utilities and SSH server tasks).
    type: list
    elements: path
  walk_roots:
    description:
      - Directories the filesystem walk starts from.
    type: list
    elements: path
    default: ["/"]
  walk_time_budget:
    description:
      - Seconds the filesystem walk may take. When they are used up the walk stops, its
        C(complete) is C(false) and the checks that use it report C(warn) with
        C(walk incomplete) (or C(fail) with what they found so far).
    type: float
    default: 60
  skip_fstypes:
    description:
      - File system types the walk does not enter (shell patterns). C(tmpfs) is walked on
        purpose, so that C(/tmp) and C(/dev/shm) are checked.
      - The lower, upper and work directories of overlay mounts are never entered either.
    type: list
    elements: str
    default: [nfs, nfs4, cifs, smb3, proc, sysfs, devtmpfs, devpts, cgroup, cgroup2, securityfs,
              debugfs, tracefs, "fuse.*", autofs, binfmt_misc, configfs, pstore, bpf, efivarfs,
              hugetlbfs, mqueue, fusectl, rpc_pipefs, nsfs]
  log_size_threshold_mb:
    description:
      - Log files under C(/var/log) larger than this many megabytes make C(SYS-04) warn.
    type: float
    default: 100
  max_check_age_days:
    description:
      - Age in days above which the last integrity check (C(INTEG-03)) or rootkit scan
        (C(IDS-02)) counts as stale.
    type: float
    default: 2
  smtp_relay_test:
    description:
      - Run the open-relay SMTP conversation of C(MAIL-04).
    type: bool
    default: true
  only:
    description:
      - Run only these checks, by ID (C(NET-01)) or prefix (C(NET)). Empty runs all.
    type: list
    elements: str
    default: []
  skip:
    description:
      - Do not run these checks, by ID or prefix.
    type: list
    elements: str
    default: []
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
  - Needs root to see every socket owner, C(/etc/shadow) and every file; as another user
    the owners show as null and unreadable directories are not walked.
  - C(SYS-01) probes PIDs with C(kill(pid, 0)) from 1 up to the highest listed PID plus
    4096 (at most C(pid_max)); above 65536 PIDs it probes the top 32768 and an even sample
    of 32768 below them.
  - Users and groups are those of C(/etc/passwd) and C(/etc/group); files owned by
    directory-service accounts count as unowned.
  - Checks for daemons that are not installed report C(not_applicable) with the reason.
seealso:
  - name: Control IDs
    description: The ID scheme shared by roles, audit and report (docs/controls.md).
    link: https://example.invalid/bastion/hardening/docs/controls.md
"""

EXAMPLES = r"""
- name: Audit the host
  bastion.hardening.audit_facts:

- name: Audit a bastion that serves SSH and DNS, trusting the management network
  bastion.hardening.audit_facts:
    allowed_services: [tcp/22, udp/53, tcp/53]
    trusted_networks: [127.0.0.0/8, "::1/128", 10.20.0.0/16]
    walk_time_budget: 20

- name: Only the network and mail checks, without talking SMTP
  bastion.hardening.audit_facts:
    only: [NET, MAIL]
    smtp_relay_test: false

- name: Fail the play on a failed critical check
  ansible.builtin.assert:
    that: >-
      bastion_audit.checks | selectattr('severity', 'eq', 'critical')
      | selectattr('status', 'eq', 'fail') | list | length == 0
"""

RETURN = r"""
ansible_facts:
  description: Facts set by the module.
  returned: always
  type: dict
  contains:
    bastion_audit:
      description: The audit result.
      returned: always
      type: dict
      contains:
        schema:
          description: Version of this structure.
          type: int
          sample: 1
        hostname:
          description: The host's name.
          type: str
          sample: bastion01
        generated:
          description: When the audit started, ISO 8601, UTC.
          type: str
          sample: "2024-05-01T12:00:00Z"
        duration:
          description: Seconds the audit took.
          type: float
          sample: 1.42
        checks:
          description: One entry per check run, in catalogue order.
          type: list
          elements: dict
          contains:
            id:
              description: Stable check ID.
              type: str
              sample: NET-01
            title:
              description: What the check wants.
              type: str
              sample: No service listens on a wildcard address unless allowed
            area:
              description: >-
                One of authentication, authorization, data protection, internet access,
                internet services, security audit, incident handling.
              type: str
              sample: internet access
            severity:
              description: critical, high, medium, low or info.
              type: str
              sample: high
            status:
              description: pass, fail, warn, not_applicable or error.
              type: str
              sample: fail
            evidence:
              description:
                - Short strings (paths, values, lines) behind the status.
                - The reason for V(not_applicable) and V(error).
              type: list
              elements: str
              sample: ["tcp 0.0.0.0:23 inetd (pid 30)"]
            remediation:
              description: How to fix a failure.
              type: dict
              contains:
                role:
                  description: The collection role that applies the control, null when none does yet.
                  type: str
                  sample: inetd
                variables:
                  description: The role variables (toggles) of the control.
                  type: list
                  elements: str
                  sample: [inetd_tcpd_wrap_enabled]
                text:
                  description: What to do by hand.
                  type: str
                  sample: Put /usr/sbin/tcpd before the server path in inetd.conf.
        totals:
          description: Number of checks per status.
          type: dict
          sample: {"pass": 40, "fail": 12, "warn": 5, "not_applicable": 8, "error": 1}
        sockets:
          description: Listening TCP sockets and unconnected UDP sockets.
          type: list
          elements: dict
          sample:
            - {"proto": "tcp", "address": "0.0.0.0", "port": 22, "wildcard": true, "pid": 412, "process": "sshd"}
        walk:
          description: The filesystem walk.
          type: dict
          sample:
            files: 20112
            directories: 2410
            seconds: 0.21
            complete: true
            skipped_mounts: [/proc, /sys]
"""

# Ansible modules import after DOCUMENTATION/EXAMPLES/RETURN (validate-modules).
import socket  # noqa: E402
import time  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.bastion.hardening.plugins.module_utils.audit.catalog import CHECKS, prefetch  # noqa: E402
from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import (  # noqa: E402
    SKIP_FSTYPES,
    CommandRunner,
    Context,
    OptionError,
    describe_error,
    run_checks,
    totals,
    validate_options,
)
from ansible_collections.bastion.hardening.plugins.module_utils.audit.files import walk_summary  # noqa: E402
from ansible_collections.bastion.hardening.plugins.module_utils.audit.network import sockets  # noqa: E402

ARGUMENT_SPEC = dict(
    internal_addresses=dict(type="list", elements="str", default=["127.0.0.1", "::1"]),
    trusted_networks=dict(type="list", elements="str", default=["127.0.0.0/8", "::1/128"]),
    allowed_services=dict(type="list", elements="str", default=["tcp/22"]),
    suid_allowlist=dict(type="list", elements="path"),
    walk_roots=dict(type="list", elements="path", default=["/"]),
    walk_time_budget=dict(type="float", default=60),
    skip_fstypes=dict(type="list", elements="str", default=list(SKIP_FSTYPES)),
    log_size_threshold_mb=dict(type="float", default=100),
    max_check_age_days=dict(type="float", default=2),
    smtp_relay_test=dict(type="bool", default=True),
    only=dict(type="list", elements="str", default=[]),
    skip=dict(type="list", elements="str", default=[]),
)


def audit(options, run=None, proc="/proc", checks=None):
    """The bastion_audit fact. ``run``, ``proc`` and ``checks`` are for tests."""
    started = time.time()
    runner = run if run is not None else CommandRunner()
    ctx = Context(options, run=runner, proc=proc, now=started)
    try:
        prefetch(ctx)
        reports = run_checks(CHECKS if checks is None else checks, ctx)
    finally:
        if hasattr(runner, "close"):
            runner.close()
    try:
        found = sockets(ctx)
    except Exception as e:  # the NET checks already report it as error
        found = []
        ctx.cache["sockets_error"] = describe_error(e)
    walk = walk_summary(ctx.cache["walk"]) if "walk" in ctx.cache else None
    return {
        "schema": 1,
        "hostname": socket.gethostname(),
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "duration": round(time.time() - started, 3),
        "checks": reports,
        "totals": totals(reports),
        "sockets": found,
        "walk": walk
        if walk is not None
        else {"files": 0, "directories": 0, "seconds": 0.0, "complete": False, "skipped_mounts": []},
    }


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    options = dict(module.params)
    if options["suid_allowlist"] is None:
        options.pop("suid_allowlist")
    try:
        validate_options(dict(Context(options).options))
    except OptionError as e:
        module.fail_json(msg=str(e))
    module.exit_json(changed=False, ansible_facts={"bastion_audit": audit(options)})


if __name__ == "__main__":
    main()
