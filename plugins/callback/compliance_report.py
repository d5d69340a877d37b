# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: compliance_report
type: aggregate
short_description: Write a fleet compliance report (JSON, JUnit, HTML) at the end of a run
version_added: 1.0.0
description:
  - Collects, for every host of the run, the checks of the C(bastion_audit) fact that
    M(bastion.hardening.audit_facts) returns (any task result whose C(ansible_facts) hold
    C(bastion_audit) counts, so C(ansible.builtin.set_fact) works too; a later result for the
    same host replaces the earlier one).
  - In a C(--check) run (or for a task with C(check_mode=true)), every task whose name starts
    with a control ID (C(INETD-04 | ...)) and reports C(changed) is recorded as drift for
    that host and ID, with the diff when the task returns one (C(--diff)), cut to 200 lines.
  - Unreachable hosts and hosts with failed tasks are reported with status C(unreachable) or
    C(failed) and the message; the other hosts are reported as usual.
  - At the end of each playbook it writes C(compliance.json), C(compliance.junit.xml) and
    C(compliance.html) (one self-contained page) into O(output_dir).
  - With O(fail_on), the run ends with exit code 3 after the reports are written when a host
    has a failing check of that severity or worse. See the notes for how.
author: bastion.hardening maintainers (!UNKNOWN)
requirements:
  - Enable the plugin, for example with C(ANSIBLE_CALLBACKS_ENABLED=bastion.hardening.compliance_report).
options:
  output_dir:
    description:
      - Directory the reports are written to; created when missing. A relative path is
        relative to the working directory of C(ansible-playbook).
    type: path
    default: reports
    env:
      - name: BASTION_REPORT_DIR
    ini:
      - section: bastion_report
        key: output_dir
  formats:
    description:
      - The reports to write.
    type: list
    elements: str
    choices: [json, junit, html]
    default: [json, junit, html]
    env:
      - name: BASTION_REPORT_FORMATS
    ini:
      - section: bastion_report
        key: formats
  fail_on:
    description:
      - End the run with exit code 3 when a host has a check with status C(fail) of this
        severity or worse (C(critical) > C(high) > C(medium) > C(low)).
      - C(none) never changes the exit code.
    type: str
    choices: [none, critical, high, medium, low]
    default: none
    env:
      - name: BASTION_REPORT_FAIL_ON
    ini:
      - section: bastion_report
        key: fail_on
notes:
  - Host names, titles and evidence come from the hosts and are treated as untrusted; every
    renderer escapes them, and the HTML page builds its matrix with C(textContent) only.
  - An exception raised in a callback is turned into a warning by ansible-core, so O(fail_on)
    raises C(SystemExit) from C(v2_playbook_on_stats), after the stdout callback has printed
    the recap and after the reports are written. Callbacks that ansible-core calls after this
    one (collection callbacks listed after it in C(callbacks_enabled)) do not get that last
    event, so list this plugin last.
  - With several playbook files on one command line, the reports are rewritten after each
    playbook and the O(fail_on) check runs after the last one.
  - Reports of hosts split across several runs are merged with
    C(plugins/module_utils/report.py merge), newest result per host winning.
seealso:
  - name: bastion.hardening report documentation
    description: docs/report.md in the collection.
    link: https://example.invalid/bastion/hardening/docs/report.md
"""

import os  # noqa: E402
import socket  # noqa: E402
import uuid  # noqa: E402

from ansible import context  # noqa: E402
from ansible.module_utils.ansible_release import __version__ as ansible_version  # noqa: E402
from ansible.plugins.callback import CallbackBase  # noqa: E402
from ansible_collections.bastion.hardening.plugins.module_utils import report as rpt  # noqa: E402

# Exit code when the fail_on gate trips: not one ansible-playbook itself uses (1, 2, 4, 5, 8,
# 99, 250), so CI can tell a non-compliant fleet from a broken run.
EXIT_NON_COMPLIANT = 3


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bastion.hardening.compliance_report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self._hosts = {}
        self._playbooks = []
        self._stats_calls = 0
        self._run = {
            "id": uuid.uuid4().hex,
            "started": rpt.utcnow(),
            "finished": None,
            "check_mode": False,
            "diff_mode": False,
            "playbooks": self._playbooks,
            "limit": None,
            "controller": socket.gethostname(),
            "ansible_version": ansible_version,
        }

    # ------------------------------------------------------------------ state per host

    def _host(self, name):
        state = self._hosts.get(name)
        if state is None:
            state = self._hosts[name] = {
                "audit": None,
                "checks": [],
                "drift": [],
                "failed_message": None,
                "unreachable_message": None,
            }
        return state

    @staticmethod
    def _message(result, task_name):
        data = result.result
        msg = data.get("msg") or data.get("stderr") or data.get("reason") or ""
        if not msg and isinstance(data.get("results"), list):
            msg = "; ".join(
                rpt.to_text(item.get("msg"), 300)
                for item in data["results"]
                if isinstance(item, dict) and item.get("failed") and item.get("msg")
            )
        text = rpt.to_text(msg, rpt.MAX_MESSAGE) or "task failed"
        return "%s: %s" % (task_name, text) if task_name else text

    def _check_mode(self, task):
        task_mode = getattr(task, "check_mode", None)
        if task_mode is False:
            return False
        return bool(task_mode) or bool(context.CLIARGS.get("check"))

    # ------------------------------------------------------------------ events

    def v2_playbook_on_start(self, playbook):
        name = getattr(playbook, "_file_name", None)
        if name:
            self._playbooks.append(os.path.basename(name))
        self._run["check_mode"] = bool(context.CLIARGS.get("check"))
        self._run["diff_mode"] = bool(context.CLIARGS.get("diff"))
        limit = context.CLIARGS.get("subset")
        self._run["limit"] = rpt.to_text(limit, 500) if limit else None

    def v2_runner_on_ok(self, result):
        data = result.result
        name = result.host.get_name()
        facts = data.get("ansible_facts")
        if isinstance(facts, dict) and "bastion_audit" in facts:
            self._record_audit(name, facts["bastion_audit"])
        if data.get("changed") and self._check_mode(result.task):
            diffs = [data.get("diff")]
            # A loop's diffs are in its items.
            diffs.extend(item.get("diff") for item in data.get("results") or [] if isinstance(item, dict))
            item = rpt.drift_item(result.task_name, [d for d in diffs if d], getattr(result.task, "action", None))
            if item is not None:
                self._host(name)["drift"].append(item)

    def _record_audit(self, name, audit):
        try:
            meta, checks = rpt.normalize_audit(audit)
        except ValueError as exc:
            self._display.warning("compliance_report: ignoring the bastion_audit fact of %s: %s" % (name, exc))
            return
        state = self._host(name)
        state["audit"] = meta
        state["checks"] = checks

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if ignore_errors:
            return
        # Whether the host really failed (and not was rescued) is read from the stats at the end.
        self._host(result.host.get_name())["failed_message"] = self._message(result, result.task_name)

    def v2_runner_on_unreachable(self, result):
        state = self._host(result.host.get_name())
        if state["unreachable_message"] is None:
            state["unreachable_message"] = self._message(result, None)

    def v2_playbook_on_stats(self, stats):
        self._stats_calls += 1
        self._run["finished"] = rpt.utcnow()
        report = self._build(stats)
        output_dir = self.get_option("output_dir")
        formats = self.get_option("formats") or []
        try:
            written = rpt.write_reports(report, output_dir, formats)
        except OSError as exc:
            self._display.error("compliance_report: cannot write the reports to %s: %s" % (output_dir, exc))
        else:
            self._display.display("compliance_report: wrote %s" % ", ".join(written))
        fail_on = self.get_option("fail_on")
        failing = rpt.failing_checks(report, fail_on)
        if failing and self._stats_calls >= len(context.CLIARGS.get("args") or ()):
            self._display.error("compliance_report: %s" % rpt.gate_message(failing, fail_on, output_dir))
            # An Exception would become a warning; SystemExit passes the callback dispatcher
            # and the playbook executor (whose finally still cleans up) and sets the exit code.
            raise SystemExit(EXIT_NON_COMPLIANT)

    # ------------------------------------------------------------------ model

    def _build(self, stats):
        names = set(self._hosts) | set(getattr(stats, "processed", {}) or {})
        hosts = {}
        for name in names:
            state = self._host(name)
            summary = stats.summarize(name)
            message = None
            if summary.get("unreachable"):
                status = "unreachable"
                message = state["unreachable_message"] or "host unreachable"
            elif summary.get("failures"):
                status = "failed"
                message = state["failed_message"] or "a task failed"
            elif state["audit"] is not None:
                status = "audited"
            else:
                status = "no_audit"
            audit = state["audit"]
            observed = self._run["finished"]
            if audit and rpt.parse_time(audit.get("generated")):
                observed = audit["generated"]
            hosts[name] = rpt.host_entry(
                status=status,
                message=message,
                observed=observed,
                run=self._run["id"],
                audit=audit,
                checks=state["checks"],
                drift=state["drift"],
            )
        run = dict(self._run)
        run["playbooks"] = list(self._playbooks)
        return rpt.build_report(hosts, [run])
