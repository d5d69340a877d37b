# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance report of bastion.hardening: model, merge and rendering.

Pure functions, standard library only, shared by the ``bastion.hardening.compliance_report``
callback and the merge command. The merge runs straight from an installed collection::

    python .../ansible_collections/bastion/hardening/plugins/module_utils/report.py \\
        merge -o merged run1/compliance.json run2/compliance.json

The report model (written as ``compliance.json``)::

    {"schema": 1, "generator": ..., "generated": ISO-8601 UTC,
     "runs": [{"id", "started", "finished", "check_mode", "diff_mode", "playbooks", "limit",
               "controller", "ansible_version"}],
     "hosts": {"<inventory name>": {
         "status": "audited" | "no_audit" | "failed" | "unreachable",
         "message": str | None, "observed": ISO-8601 UTC, "run": run id,
         "audit": {"schema", "hostname", "generated", "duration"} | None,
         "checks": [{"id", "title", "area", "severity", "status", "evidence": [str],
                     "remediation": {"role", "variables": [str], "text"}}],
         "drift": [{"id", "task", "action", "diff", "truncated"}],
         "totals": {"pass", "fail", "warn", "not_applicable", "error", "drift"}}},
     "totals": {"hosts", "host_status": {...}, "checks": {...}, "drift", "failing_hosts"}}

Everything that comes from a host (names, titles, evidence) is untrusted: it is coerced to
text and bounded here, and escaped by each renderer.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import html
import json
import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET

SCHEMA = 1
GENERATOR = "bastion.hardening.compliance_report"

STATUSES = ("fail", "error", "warn", "pass", "not_applicable")
SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
HOST_STATUSES = ("unreachable", "failed", "audited", "no_audit")
FAIL_ON_CHOICES = ("none", "critical", "high", "medium", "low")
FORMATS = ("json", "junit", "html")
FILENAMES = {"json": "compliance.json", "junit": "compliance.junit.xml", "html": "compliance.html"}

CONTROL_ID_RE = re.compile(r"^([A-Z]+-\d{2}) \|")

# Bounds on what one host may put into the report.
MAX_TEXT = 2000
MAX_EVIDENCE_ITEMS = 50
MAX_EVIDENCE_CHARS = 4000
MAX_CHECKS = 2000
MAX_DIFF_LINES = 200
MAX_DIFF_CHARS = 20000
MAX_MESSAGE = 2000

# Characters XML 1.0 does not allow, even escaped.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class ReportError(Exception):
    """A report file cannot be read or has the wrong shape."""


def utcnow():
    """The current time as an ISO-8601 UTC string with a ``Z``."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value):
    """An aware datetime from an ISO-8601 string (naive means UTC), or None."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


def truncate(text, limit):
    """``text`` cut to ``limit`` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    return "%s... [%d more characters]" % (text[:limit], len(text) - limit)


def to_text(value, limit=MAX_TEXT):
    """Any value as bounded text; None stays None-free (empty string)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = json.dumps(value, sort_keys=True, default=str) if isinstance(value, (dict, list, tuple)) else str(value)
    return truncate(value, limit)


def empty_totals():
    totals = dict((status, 0) for status in STATUSES)
    totals["drift"] = 0
    return totals


def normalize_check(check):
    """One audit check as the report keeps it, or None when it is not a mapping."""
    if not isinstance(check, dict):
        return None
    status = check.get("status")
    status = status if status in STATUSES else "error"
    severity = check.get("severity")
    severity = severity if severity in SEVERITY_RANK else "info"
    evidence = check.get("evidence")
    if evidence is None:
        evidence = []
    elif not isinstance(evidence, (list, tuple)):
        evidence = [evidence]
    items = [to_text(item, MAX_EVIDENCE_CHARS) for item in evidence[:MAX_EVIDENCE_ITEMS]]
    if len(evidence) > MAX_EVIDENCE_ITEMS:
        items.append("[%d more evidence items not shown]" % (len(evidence) - MAX_EVIDENCE_ITEMS))
    if check.get("status") not in STATUSES:
        items.append("[report: unknown status %s]" % to_text(check.get("status"), 100))
    remediation = check.get("remediation")
    if not isinstance(remediation, dict):
        remediation = {}
    variables = remediation.get("variables")
    if not isinstance(variables, (list, tuple)):
        variables = [] if variables is None else [variables]
    role = remediation.get("role")
    return {
        "id": to_text(check.get("id"), 100) or "UNKNOWN",
        "title": to_text(check.get("title")),
        "area": to_text(check.get("area"), 100),
        "severity": severity,
        "status": status,
        "evidence": items,
        "remediation": {
            "role": None if role is None else to_text(role, 200),
            "variables": [to_text(v, 200) for v in variables[:MAX_EVIDENCE_ITEMS]],
            "text": to_text(remediation.get("text"), MAX_EVIDENCE_CHARS),
        },
    }


def normalize_audit(audit):
    """Split one ``bastion_audit`` fact into (audit metadata, checks).

    Raises ValueError when ``audit`` is not a mapping with a list of checks.
    """
    if not isinstance(audit, dict):
        raise ValueError("bastion_audit is a %s, not a mapping" % type(audit).__name__)
    checks = audit.get("checks")
    if not isinstance(checks, (list, tuple)):
        raise ValueError("bastion_audit has no list of checks")
    normalized = [c for c in (normalize_check(check) for check in checks[:MAX_CHECKS]) if c is not None]
    duration = audit.get("duration")
    meta = {
        "schema": audit.get("schema") if isinstance(audit.get("schema"), int) else None,
        "hostname": to_text(audit.get("hostname"), 255),
        "generated": to_text(audit.get("generated"), 64),
        "duration": float(duration) if isinstance(duration, (int, float)) and not isinstance(duration, bool) else None,
    }
    return meta, normalized


def control_id(task_name):
    """The control ID at the start of a task name (``"INETD-04 | ..."``), or None."""
    match = CONTROL_ID_RE.match(task_name or "")
    return match.group(1) if match else None


def _dump(value):
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, indent=2, default=str) + "\n"


def diff_text(diff):
    """An Ansible ``diff`` return value (a dict or a list of them) as unified diff text."""
    if not diff:
        return ""
    if isinstance(diff, (list, tuple)):
        return "\n".join(part for part in (diff_text(item) for item in diff) if part)
    if not isinstance(diff, dict):
        return to_text(diff, MAX_DIFF_CHARS)
    parts = []
    if diff.get("prepared"):
        parts.append(to_text(diff["prepared"], MAX_DIFF_CHARS))
    if "before" in diff or "after" in diff:
        before = _dump(diff.get("before", ""))
        after = _dump(diff.get("after", ""))
        lines = difflib.unified_diff(
            before.splitlines(True),
            after.splitlines(True),
            fromfile=to_text(diff.get("before_header") or "before", 255),
            tofile=to_text(diff.get("after_header") or "after", 255),
        )
        parts.append("".join(line if line.endswith("\n") else line + "\n" for line in lines))
    return "\n".join(part for part in parts if part)


def bound_diff(text):
    """(text, truncated): a diff cut to MAX_DIFF_LINES lines and MAX_DIFF_CHARS characters."""
    lines = text.splitlines(True)
    truncated = False
    if len(lines) > MAX_DIFF_LINES:
        text = "".join(lines[:MAX_DIFF_LINES]) + "[... %d more lines]\n" % (len(lines) - MAX_DIFF_LINES)
        truncated = True
    if len(text) > MAX_DIFF_CHARS:
        text = truncate(text, MAX_DIFF_CHARS)
        truncated = True
    return text, truncated


def drift_item(task_name, diff=None, action=None):
    """A drift record for a task with a control ID that would change, or None without an ID."""
    cid = control_id(task_name)
    if cid is None:
        return None
    text, truncated = bound_diff(diff_text(diff))
    return {
        "id": cid,
        "task": to_text(task_name, 500),
        "action": to_text(action, 200) or None,
        "diff": text or None,
        "truncated": truncated,
    }


def host_totals(entry):
    totals = empty_totals()
    for check in entry.get("checks", []):
        totals[check["status"]] += 1
    totals["drift"] = len(entry.get("drift", []))
    return totals


def host_entry(status="no_audit", message=None, observed=None, run=None, audit=None, checks=None, drift=None):
    entry = {
        "status": status if status in HOST_STATUSES else "no_audit",
        "message": None if message is None else to_text(message, MAX_MESSAGE),
        "observed": observed,
        "run": run,
        "audit": audit,
        "checks": list(checks or []),
        "drift": list(drift or []),
    }
    entry["totals"] = host_totals(entry)
    return entry


def fleet_totals(hosts):
    totals = {
        "hosts": len(hosts),
        "host_status": dict((status, 0) for status in HOST_STATUSES),
        "checks": dict((status, 0) for status in STATUSES),
        "drift": 0,
        "failing_hosts": 0,
    }
    for entry in hosts.values():
        totals["host_status"][entry["status"]] += 1
        for status in STATUSES:
            totals["checks"][status] += entry["totals"][status]
        totals["drift"] += entry["totals"]["drift"]
        if entry["totals"]["fail"] or entry["totals"]["error"] or entry["status"] in ("failed", "unreachable"):
            totals["failing_hosts"] += 1
    return totals


def build_report(hosts, runs, generated=None):
    """The report from ``{name: host_entry}`` and the list of run metadata."""
    ordered = dict((name, hosts[name]) for name in sorted(hosts))
    for entry in ordered.values():
        entry["totals"] = host_totals(entry)
    return {
        "schema": SCHEMA,
        "generator": GENERATOR,
        "generated": generated or utcnow(),
        "runs": list(runs),
        "hosts": ordered,
        "totals": fleet_totals(ordered),
    }


def validate_report(report, source="report"):
    """Raise ReportError unless ``report`` looks like a compliance.json of this schema."""
    if not isinstance(report, dict):
        raise ReportError("%s: not a JSON object" % source)
    if report.get("schema") != SCHEMA:
        raise ReportError("%s: schema %r, expected %d" % (source, report.get("schema"), SCHEMA))
    hosts = report.get("hosts")
    if not isinstance(hosts, dict):
        raise ReportError("%s: no 'hosts' object" % source)
    for name, entry in hosts.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("checks"), list):
            raise ReportError("%s: host %r has no list of checks" % (source, name))
    if not isinstance(report.get("runs"), list):
        raise ReportError("%s: no 'runs' list" % source)


def _observed_key(entry, order):
    parsed = parse_time(entry.get("observed"))
    epoch = parsed.timestamp() if parsed else float("-inf")
    return (epoch, order)


def merge_reports(reports):
    """One report from several: for each host the newest entry (``observed``) wins.

    On equal times the later report in ``reports`` wins. Runs are kept once each, by id.
    """
    best = {}
    runs = []
    seen_runs = set()
    for order, report in enumerate(reports):
        validate_report(report, "report %d" % (order + 1))
        for run in report["runs"]:
            key = run.get("id") if isinstance(run, dict) else None
            if key is None or key not in seen_runs:
                runs.append(run)
                seen_runs.add(key)
        for name, entry in report["hosts"].items():
            key = _observed_key(entry, order)
            if name not in best or key >= best[name][0]:
                best[name] = (key, entry)
    hosts = {}
    for name, (_key, entry) in best.items():
        merged = host_entry(
            status=entry.get("status"),
            message=entry.get("message"),
            observed=entry.get("observed"),
            run=entry.get("run"),
            audit=entry.get("audit"),
            checks=[c for c in (normalize_check(c) for c in entry.get("checks", [])) if c is not None],
            drift=[d for d in entry.get("drift", []) if isinstance(d, dict)],
        )
        hosts[name] = merged
    return build_report(hosts, runs)


def failing_checks(report, fail_on):
    """``{host: [check id, ...]}`` of checks with status fail at or above severity ``fail_on``."""
    if fail_on not in SEVERITY_RANK:
        return {}
    floor = SEVERITY_RANK[fail_on]
    found = {}
    for name, entry in report["hosts"].items():
        ids = [
            c["id"] for c in entry["checks"] if c["status"] == "fail" and SEVERITY_RANK.get(c["severity"], 0) >= floor
        ]
        if ids:
            found[name] = ids
    return found


# ---------------------------------------------------------------------------- rendering


def render_json(report):
    return json.dumps(report, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def xml_text(value):
    """Text safe for XML 1.0: characters XML cannot carry become U+FFFD."""
    return _XML_INVALID_RE.sub("\ufffd", to_text(value, MAX_DIFF_CHARS + 100))


def _check_body(check):
    lines = ["severity: %s" % check["severity"], "area: %s" % check["area"]]
    if check["evidence"]:
        lines.append("evidence:")
        lines.extend("  " + line for line in check["evidence"])
    rem = check["remediation"]
    if rem.get("role") or rem.get("variables") or rem.get("text"):
        lines.append("remediation:")
        if rem.get("role"):
            lines.append("  role: %s" % rem["role"])
        if rem.get("variables"):
            lines.append("  variables: %s" % ", ".join(rem["variables"]))
        if rem.get("text"):
            lines.append("  %s" % rem["text"])
    return "\n".join(lines)


def _sub(parent, tag, attrs=None, text=None):
    node = ET.SubElement(parent, tag, dict((k, xml_text(v)) for k, v in (attrs or {}).items()))
    if text is not None:
        node.text = xml_text(text)
    return node


def junit_counts(entry):
    """(tests, failures, errors, skipped) of one host's testsuite."""
    totals = entry["totals"]
    host_error = 1 if entry["status"] in ("failed", "unreachable") else 0
    tests = len(entry["checks"]) + len(entry["drift"]) + host_error
    return tests, totals["fail"] + totals["drift"], totals["error"] + host_error, totals["not_applicable"]


def render_junit(report):
    """JUnit XML: a testsuite per host, a testcase per check, per drift item and per host error."""
    all_counts = [0, 0, 0, 0]
    root = ET.Element("testsuites", {"name": "bastion.hardening compliance"})
    for name, entry in report["hosts"].items():
        counts = junit_counts(entry)
        all_counts = [a + b for a, b in zip(all_counts, counts)]
        audit = entry.get("audit") or {}
        attrs = {
            "name": name,
            "tests": counts[0],
            "failures": counts[1],
            "errors": counts[2],
            "skipped": counts[3],
            "time": "%.3f" % (audit.get("duration") or 0.0),
            "timestamp": audit.get("generated") or entry.get("observed") or "",
            "hostname": audit.get("hostname") or name,
        }
        suite = _sub(root, "testsuite", attrs)
        if entry["status"] in ("failed", "unreachable"):
            case = _sub(suite, "testcase", {"classname": name, "name": "host %s" % entry["status"]})
            _sub(case, "error", {"type": entry["status"], "message": entry.get("message") or entry["status"]})
        for check in entry["checks"]:
            case = _sub(
                suite,
                "testcase",
                {
                    "classname": "%s.%s" % (name, check["area"] or "audit"),
                    "name": "%s %s" % (check["id"], check["title"]),
                },
            )
            message = "%s: %s" % (check["severity"], check["title"])
            if check["status"] == "fail":
                _sub(case, "failure", {"type": "fail", "message": message}, _check_body(check))
            elif check["status"] == "error":
                _sub(case, "error", {"type": "error", "message": message}, _check_body(check))
            elif check["status"] == "not_applicable":
                _sub(case, "skipped", {"message": "not applicable"})
                if check["evidence"]:
                    _sub(case, "system-out", None, _check_body(check))
            elif check["status"] == "warn":
                _sub(case, "system-out", None, "WARNING: %s\n%s" % (message, _check_body(check)))
        for item in entry["drift"]:
            case = _sub(
                suite,
                "testcase",
                {"classname": "%s.drift" % name, "name": "%s drift: %s" % (item.get("id"), item.get("task"))},
            )
            _sub(
                case,
                "failure",
                {"type": "drift", "message": "would change: %s" % item.get("task")},
                item.get("diff") or "(no diff: run with --diff to see the change)",
            )
    for attr, value in zip(("tests", "failures", "errors", "skipped"), all_counts):
        root.set(attr, str(value))
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _row_key(check_id, cells, severity):
    """Rows with failures first (worst severity, most hosts), then errors, warnings, by ID."""
    counts = dict((status, 0) for status in STATUSES)
    for cell in cells:
        if cell is not None:
            counts[cell["s"]] += 1
    return (
        -1 if counts["fail"] else 0,
        -SEVERITY_RANK.get(severity, 0) if counts["fail"] else 0,
        -counts["fail"],
        -counts["error"],
        -counts["warn"],
        check_id,
    )


def html_data(report):
    """The compact structure the page's script renders the matrix from."""
    names = list(report["hosts"])
    hosts = []
    for name in names:
        entry = report["hosts"][name]
        hosts.append({"name": name, "status": entry["status"], "message": entry.get("message") or ""})
    rows = {}
    for index, name in enumerate(names):
        for check in report["hosts"][name]["checks"]:
            row = rows.get(check["id"])
            if row is None:
                row = rows[check["id"]] = {
                    "id": check["id"],
                    "title": check["title"],
                    "area": check["area"],
                    "severity": check["severity"],
                    "remediation": check["remediation"],
                    "cells": [None] * len(names),
                }
            cell = {"s": check["status"], "e": check["evidence"]}
            if check["remediation"] != row["remediation"]:
                cell["r"] = check["remediation"]
            if check["title"] != row["title"]:
                cell["t"] = check["title"]
            row["cells"][index] = cell
    ordered = sorted(
        rows.values(),
        key=lambda r: _row_key(r["id"], r["cells"], r["severity"]),
    )
    return {"hosts": hosts, "checks": ordered}


def _script_json(data):
    """JSON for a <script type="application/json">: no <, > or & can end or open anything."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _e(value):
    return html.escape(to_text(value, MAX_DIFF_CHARS + 100), quote=True)


_SYMBOL = {"fail": "\u2717", "error": "E", "warn": "!", "pass": "\u2713", "not_applicable": "\u2013"}

_STATUS_LABEL = {
    "fail": "fail",
    "error": "error",
    "warn": "warn",
    "pass": "pass",
    "not_applicable": "n/a",
    "audited": "audited",
    "no_audit": "no audit",
    "failed": "failed",
    "unreachable": "unreachable",
}

_CSS = """
:root{--fail:#c62828;--error:#6a1b9a;--warn:#ef8f00;--pass:#2e7d32;--na:#9e9e9e;--none:#eceff1;--ink:#1c1c1c;
--line:#d0d4d8;--bg:#fafafa}
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg);margin:0;
padding:0 1.2em 2em}
h1{font-size:1.4em;margin:.8em 0 .2em}h2{font-size:1.15em;margin:1.4em 0 .4em}
.meta{color:#555;margin:0 0 .8em}
.tiles{display:flex;flex-wrap:wrap;gap:.6em}
.tile{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.4em .8em;min-width:7em}
.tile b{display:block;font-size:1.4em}
.t-fail b,.s-fail{color:var(--fail)}.t-error b{color:var(--error)}.t-warn b{color:var(--warn)}
.t-pass b{color:var(--pass)}.t-not_applicable b{color:var(--na)}
table.list{border-collapse:collapse;background:#fff;width:100%}
table.list th,table.list td{border:1px solid var(--line);padding:.25em .5em;text-align:left;vertical-align:top}
table.list td.num{text-align:right}
.badge{display:inline-block;border-radius:3px;padding:0 .4em;color:#fff;font-size:.85em;white-space:nowrap}
.b-fail,.b-failed,.b-unreachable{background:var(--fail)}.b-error{background:var(--error)}.b-warn{background:var(--warn)}
.b-pass,.b-audited{background:var(--pass)}.b-not_applicable,.b-no_audit{background:var(--na)}
.sev{display:inline-block;font-size:.75em;border:1px solid #888;border-radius:3px;padding:0 .3em;margin-right:.2em;
color:#333;text-transform:uppercase}
.sev-critical{border-color:var(--fail);color:var(--fail);font-weight:bold}.sev-high{border-color:#d84315;color:#d84315}
#filters{display:flex;flex-wrap:wrap;gap:.5em 1.2em;align-items:center;background:#fff;border:1px solid var(--line);
border-radius:6px;padding:.5em .8em;margin:.5em 0}
#filters label{white-space:nowrap}#filters input[type=search]{width:14em}
#count{color:#555}
#matrix-wrap{overflow:auto;max-height:78vh;border:1px solid var(--line);background:#fff}
#matrix{border-collapse:separate;border-spacing:0}
#matrix th,#matrix td{border-bottom:1px solid #eee;border-right:1px solid #eee;padding:0}
#matrix thead th{position:sticky;top:0;background:#fff;z-index:2;vertical-align:bottom}
#matrix thead th.host{height:9em;width:1.9em;min-width:1.9em}
#matrix thead th.host span{writing-mode:vertical-rl;transform:rotate(180deg);display:block;max-height:8.6em;
overflow:hidden;text-overflow:ellipsis;white-space:nowrap;margin:0 auto;padding:.2em 0;font-weight:normal}
#matrix thead th.host.h-failed span,#matrix thead th.host.h-unreachable span{color:var(--fail);font-weight:bold}
#matrix th.check{position:sticky;left:0;background:#fff;z-index:1;text-align:left;font-weight:normal;padding:.15em .5em;
min-width:22em;max-width:30em;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#matrix thead th.check{z-index:3}
#matrix th.check code{font-weight:bold;margin-right:.4em}
#matrix td button{display:block;width:1.9em;height:1.7em;border:0;margin:0;padding:0;cursor:pointer;color:#fff;
font:bold 12px/1.7em system-ui,sans-serif;text-align:center}
#matrix td button:focus{outline:2px solid #000;outline-offset:-2px}
.c-fail{background:var(--fail)}.c-error{background:var(--error)}.c-warn{background:var(--warn)}.c-pass{background:var(--pass)}
.c-not_applicable{background:var(--na)}#matrix td button.c-none{background:var(--none);color:#999;cursor:default}
#matrix td button.dim{opacity:.15}
#matrix td button.sel{outline:3px solid #000;outline-offset:-3px}
#detail{position:fixed;right:1em;bottom:1em;width:min(36em,calc(100vw - 2em));max-height:70vh;overflow:auto;
background:#fff;border:1px solid #888;border-radius:6px;box-shadow:0 4px 16px rgba(0,0,0,.25);padding:.6em 1em;
z-index:5}
#detail h3{margin:.2em 1.5em .4em 0;font-size:1.05em}
#detail .close{position:absolute;right:.5em;top:.4em;border:0;background:none;font-size:1.3em;cursor:pointer}
#detail dt{font-weight:bold;margin-top:.4em}#detail dd{margin:0 0 0 1em}
pre{white-space:pre-wrap;word-break:break-word;background:#f4f4f4;padding:.4em;margin:.2em 0;font-size:12px}
.legend span{margin-right:1em}
.legend i{display:inline-block;width:1em;height:1em;vertical-align:-.15em;margin-right:.3em}
"""

_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var LABEL = {fail: "fail", error: "error", warn: "warn", pass: "pass", not_applicable: "n/a"};
  var SYMBOL = {fail: "\u2717", error: "E", warn: "!", pass: "\u2713", not_applicable: "\u2013"};
  var hosts = data.hosts, checks = data.checks;
  var table = document.getElementById("matrix");
  var detail = document.getElementById("detail");
  var hideStyle = document.getElementById("host-hide");
  var rows = [], selected = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function lower(s) { return String(s || "").toLowerCase(); }
  function remOf(check, cell) { return cell.r || check.remediation || {}; }

  function build() {
    var thead = el("thead"), tr = el("tr"), tbody = el("tbody");
    tr.appendChild(el("th", "check", "Check \\ Host"));
    hosts.forEach(function (h, hi) {
      var th = el("th", "host h" + hi + " h-" + h.status);
      var span = el("span", null, h.name);
      th.title = h.name + " (" + h.status + ")" + (h.message ? ": " + h.message : "");
      th.appendChild(span);
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    checks.forEach(function (c, ci) {
      var row = el("tr"), th = el("th", "check");
      var blob = [c.id, c.title, c.area, c.severity].join(" ");
      th.appendChild(el("code", null, c.id));
      th.appendChild(el("span", "sev sev-" + c.severity, c.severity));
      th.appendChild(document.createTextNode(" " + c.title));
      th.title = c.id + " " + c.title + " [" + c.area + ", " + c.severity + "]";
      row.appendChild(th);
      var cellInfo = [];
      c.cells.forEach(function (cell, hi) {
        var td = el("td", "h" + hi), b;
        if (cell) {
          b = el("button", "c-" + cell.s, SYMBOL[cell.s] || "?");
          b.type = "button";
          b.setAttribute("data-c", String(ci));
          b.setAttribute("data-h", String(hi));
          b.title = hosts[hi].name + " \u2013 " + c.id + ": " + (LABEL[cell.s] || cell.s);
          var rem = remOf(c, cell);
          cellInfo.push({hi: hi, s: cell.s, b: b,
                         text: lower([cell.t || "", (cell.e || []).join(" "), rem.role || "",
                                      (rem.variables || []).join(" "), rem.text || ""].join(" "))});
        } else {
          b = el("button", "c-none", "");
          b.type = "button";
          b.disabled = true;
          b.title = hosts[hi].name + " \u2013 " + c.id + ": not reported";
        }
        td.appendChild(b);
        row.appendChild(td);
      });
      rows.push({tr: row, check: c, blob: lower(blob), cells: cellInfo});
      tbody.appendChild(row);
    });
    table.appendChild(thead);
    table.appendChild(tbody);
  }

  function field(dl, name, value, pre) {
    dl.appendChild(el("dt", null, name));
    var dd = el("dd");
    if (pre) { dd.appendChild(el("pre", null, value)); } else { dd.textContent = value; }
    dl.appendChild(dd);
  }

  function show(ci, hi, updateHash) {
    var c = checks[ci], cell = c && c.cells[hi], h = hosts[hi];
    if (!cell || !h) { return; }
    while (detail.firstChild) { detail.removeChild(detail.firstChild); }
    var close = el("button", "close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", hide);
    detail.appendChild(close);
    detail.appendChild(el("h3", null, c.id + " on " + h.name));
    var dl = el("dl"), rem = remOf(c, cell);
    field(dl, "Check", cell.t || c.title);
    field(dl, "Status", LABEL[cell.s] || cell.s);
    field(dl, "Severity / area", c.severity + " / " + c.area);
    field(dl, "Evidence", (cell.e && cell.e.length) ? cell.e.join("\n") : "(none)", true);
    field(dl, "Remediation role", rem.role || "(none)");
    field(dl, "Variables", (rem.variables && rem.variables.length) ? rem.variables.join(", ") : "(none)");
    field(dl, "Remediation", rem.text || "(none)", true);
    detail.appendChild(dl);
    detail.hidden = false;
    if (selected) { selected.classList.remove("sel"); }
    selected = table.querySelector('button[data-c="' + ci + '"][data-h="' + hi + '"]');
    if (selected) { selected.classList.add("sel"); }
    if (updateHash && window.history && history.replaceState) {
      history.replaceState(null, "", "#cell=" + encodeURIComponent(h.name) + "/" + encodeURIComponent(c.id));
    }
  }

  function hide() {
    detail.hidden = true;
    if (selected) { selected.classList.remove("sel"); selected = null; }
    if (window.history && history.replaceState) { history.replaceState(null, "", "#"); }
  }

  function fromHash() {
    var m = /^#cell=([^\/]*)\/(.*)$/.exec(window.location.hash);
    if (!m) { return; }
    var name, id;
    try { name = decodeURIComponent(m[1]); id = decodeURIComponent(m[2]); } catch (e) { return; }
    var hi = -1, ci = -1, i;
    for (i = 0; i < hosts.length; i++) { if (hosts[i].name === name) { hi = i; } }
    for (i = 0; i < checks.length; i++) { if (checks[i].id === id) { ci = i; } }
    if (hi >= 0 && ci >= 0) { show(ci, hi, false); }
  }

  function value(id) { return document.getElementById(id).value; }

  function apply() {
    var statuses = {};
    Array.prototype.forEach.call(document.querySelectorAll("input[name=status]"), function (box) {
      statuses[box.value] = box.checked;
    });
    var area = value("f-area"), sev = value("f-severity");
    var hostQ = lower(value("f-host")).trim(), textQ = lower(value("f-text")).trim();
    var visibleHosts = {}, hidden = [], nHosts = 0, nRows = 0;
    hosts.forEach(function (h, hi) {
      var ok = !hostQ || lower(h.name).indexOf(hostQ) >= 0;
      visibleHosts[hi] = ok;
      if (ok) { nHosts++; } else { hidden.push(".h" + hi); }
    });
    hideStyle.textContent = hidden.length ? hidden.join(",") + "{display:none}" : "";
    rows.forEach(function (r) {
      var c = r.check;
      var show = (!area || c.area === area) && (!sev || c.severity === sev);
      var textHit = !textQ || r.blob.indexOf(textQ) >= 0, statusHit = false;
      r.cells.forEach(function (ci) {
        var on = statuses[ci.s] !== false;
        ci.b.classList.toggle("dim", !on);
        if (visibleHosts[ci.hi]) {
          if (on) { statusHit = true; }
          if (textQ && !textHit && ci.text.indexOf(textQ) >= 0) { textHit = true; }
        }
      });
      show = show && textHit && statusHit;
      r.tr.hidden = !show;
      if (show) { nRows++; }
    });
    document.getElementById("count").textContent =
      "Showing " + nRows + " of " + checks.length + " checks on " + nHosts + " of " + hosts.length + " hosts";
  }

  build();
  table.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("button[data-c]") : null;
    if (b) { show(Number(b.getAttribute("data-c")), Number(b.getAttribute("data-h")), true); }
  });
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && !detail.hidden) { hide(); } });
  document.getElementById("filters").addEventListener("input", apply);
  document.getElementById("filters").addEventListener("change", apply);
  document.getElementById("f-reset").addEventListener("click", function () {
    window.setTimeout(apply, 0);
  });
  window.addEventListener("hashchange", fromHash);
  apply();
  fromHash();
  document.body.setAttribute("data-rendered", String(checks.length));
})();
"""


def _tiles(counts, labels, prefix):
    out = []
    for key, label in labels:
        out.append('<div class="tile %s%s"><b>%d</b>%s</div>' % (prefix, _e(key), counts.get(key, 0), _e(label)))
    return "".join(out)


def render_html(report):
    """The report as one self-contained HTML page (inline CSS and script, no external resources)."""
    data = html_data(report)
    totals = report["totals"]
    runs = report.get("runs") or []
    check_mode = any(isinstance(r, dict) and r.get("check_mode") for r in runs)
    areas = sorted(set(c["area"] for c in data["checks"] if c["area"]))
    out = []
    w = out.append
    w('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
    w('<meta name="viewport" content="width=device-width, initial-scale=1">\n')
    w(
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
    )
    w('<link rel="icon" href="data:,">\n')
    w("<title>Compliance report - %d hosts</title>\n" % totals["hosts"])
    w('<style>%s</style>\n<style id="host-hide"></style>\n</head>\n<body>\n' % _CSS)
    w("<h1>Compliance report</h1>\n")
    w(
        '<p class="meta">Generated %s from %d run(s)%s. %d hosts.</p>\n'
        % (_e(report.get("generated")), len(runs), " (check mode)" if check_mode else "", totals["hosts"])
    )
    w('<h2>Fleet totals</h2>\n<div class="tiles">')
    w(_tiles(totals["host_status"], [(s, "hosts " + _STATUS_LABEL[s]) for s in HOST_STATUSES], "t-"))
    w('</div>\n<div class="tiles" style="margin-top:.6em">')
    w(_tiles(totals["checks"], [(s, "checks " + _STATUS_LABEL[s]) for s in STATUSES], "t-"))
    w('<div class="tile t-fail"><b>%d</b>drift items</div>' % totals["drift"])
    w('<div class="tile t-fail"><b>%d</b>hosts failing</div>' % totals["failing_hosts"])
    w("</div>\n")

    w("<h2>Checks by host</h2>\n")
    w('<form id="filters" onsubmit="return false">\n<span>Status:</span>')
    for status in STATUSES:
        w(
            '<label><input type="checkbox" name="status" value="%s" checked> '
            '<span class="badge b-%s">%s</span></label>' % (status, status, _STATUS_LABEL[status])
        )
    w('\n<label>Area <select id="f-area"><option value="">all</option>')
    for area in areas:
        w('<option value="%s">%s</option>' % (_e(area), _e(area)))
    w('</select></label>\n<label>Severity <select id="f-severity"><option value="">all</option>')
    for severity in SEVERITIES:
        w('<option value="%s">%s</option>' % (severity, severity))
    w("</select></label>\n")
    w('<label>Host <input type="search" id="f-host" placeholder="name contains"></label>\n')
    w('<label>Text <input type="search" id="f-text" placeholder="ID, title, evidence"></label>\n')
    w('<button type="reset" id="f-reset">Reset</button>\n<span id="count"></span>\n</form>\n')
    w('<p class="legend">')
    for status in STATUSES:
        w('<span><i class="c-%s"></i>%s %s</span>' % (status, _SYMBOL[status], _STATUS_LABEL[status]))
    w('<span><i style="background:var(--none)"></i>not reported</span>')
    w(" Click a cell for its evidence and remediation.</p>\n")
    w("<noscript><p>The matrix needs JavaScript; compliance.json holds the same data.</p></noscript>\n")
    w('<div id="matrix-wrap"><table id="matrix"></table></div>\n')
    w('<aside id="detail" hidden aria-live="polite"></aside>\n')

    w('<h2>Hosts</h2>\n<table class="list" id="hosts"><thead><tr><th>Host</th><th>Status</th><th>Message</th>')
    for status in STATUSES:
        w("<th>%s</th>" % _STATUS_LABEL[status])
    w("<th>drift</th><th>Observed</th></tr></thead><tbody>\n")
    for name, entry in report["hosts"].items():
        w(
            '<tr><td>%s</td><td><span class="badge b-%s">%s</span></td><td>%s</td>'
            % (
                _e(name),
                _e(entry["status"]),
                _e(_STATUS_LABEL.get(entry["status"], entry["status"])),
                _e(entry.get("message") or ""),
            )
        )
        for status in STATUSES:
            w('<td class="num">%d</td>' % entry["totals"][status])
        w('<td class="num">%d</td><td>%s</td></tr>\n' % (entry["totals"]["drift"], _e(entry.get("observed") or "")))
    w("</tbody></table>\n")

    w("<h2>Drift</h2>\n")
    drift = [(name, item) for name, entry in report["hosts"].items() for item in entry["drift"]]
    if not drift:
        w("<p>No drift recorded%s.</p>\n" % ("" if check_mode else " (drift is recorded in --check runs)"))
    else:
        w('<table class="list" id="drift"><thead><tr><th>Host</th><th>Control</th><th>Task</th><th>Change</th></tr>')
        w("</thead><tbody>\n")
        for name, item in drift:
            diff = item.get("diff")
            change = (
                "<details><summary>diff%s</summary><pre>%s</pre></details>"
                % (" (truncated)" if item.get("truncated") else "", _e(diff))
                if diff
                else "would change (no diff: run with --diff)"
            )
            w(
                "<tr><td>%s</td><td><code>%s</code></td><td>%s</td><td>%s</td></tr>\n"
                % (_e(name), _e(item.get("id")), _e(item.get("task")), change)
            )
        w("</tbody></table>\n")

    w('<h2>Runs</h2>\n<table class="list" id="runs"><thead><tr><th>Run</th><th>Started</th><th>Finished</th>')
    w("<th>Check mode</th><th>Playbooks</th><th>Controller</th></tr></thead><tbody>\n")
    for run in runs:
        if not isinstance(run, dict):
            continue
        playbooks = run.get("playbooks") or []
        w(
            "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n"
            % (
                _e(run.get("id")),
                _e(run.get("started")),
                _e(run.get("finished")),
                "yes" if run.get("check_mode") else "no",
                _e(", ".join(to_text(p) for p in playbooks) if isinstance(playbooks, list) else playbooks),
                _e(run.get("controller")),
            )
        )
    w("</tbody></table>\n")
    w('<script type="application/json" id="report-data">%s</script>\n' % _script_json(data))
    w("<script>%s</script>\n</body>\n</html>\n" % _JS)
    return "".join(out)


RENDERERS = {"json": render_json, "junit": render_junit, "html": render_html}


def write_atomic(path, text):
    """Write ``text`` to ``path`` through a temporary file in the same directory."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_reports(report, output_dir, formats=FORMATS):
    """Write each format of ``report`` into ``output_dir`` (created); return the paths written."""
    os.makedirs(output_dir, exist_ok=True)
    written = []
    for fmt in FORMATS:
        if fmt in formats:
            path = os.path.join(output_dir, FILENAMES[fmt])
            write_atomic(path, RENDERERS[fmt](report))
            written.append(path)
    return written


def load_report(path):
    try:
        with open(path, encoding="utf-8") as handle:
            report = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ReportError("cannot read %s: %s" % (path, exc)) from exc
    validate_report(report, path)
    return report


def main(argv=None):
    """``merge`` command line: several compliance.json files into one set of reports."""
    parser = argparse.ArgumentParser(
        prog="report_merge",
        description="Merge compliance.json files of bastion.hardening runs: the newest result per host wins.",
    )
    parser.add_argument("command", choices=["merge"], help="what to do")
    parser.add_argument("reports", nargs="+", metavar="compliance.json", help="reports to merge")
    parser.add_argument(
        "-o", "--output-dir", default="reports", help="directory for the merged reports (default: reports)"
    )
    parser.add_argument(
        "-f", "--formats", default=",".join(FORMATS), help="comma-separated formats: json, junit, html (default: all)"
    )
    parser.add_argument(
        "--fail-on", choices=FAIL_ON_CHOICES, default="none", help="exit 3 on failing checks of this severity or worse"
    )
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        parser.error("unknown format(s): %s" % ", ".join(unknown))
    try:
        merged = merge_reports([load_report(path) for path in args.reports])
        written = write_reports(merged, args.output_dir, formats)
    except (ReportError, OSError) as exc:
        sys.stderr.write("report_merge: %s\n" % exc)
        return 1
    for path in written:
        sys.stdout.write("%s\n" % path)
    failing = failing_checks(merged, args.fail_on)
    if failing:
        sys.stderr.write("report_merge: %s\n" % gate_message(failing, args.fail_on, args.output_dir))
        return 3
    return 0


def gate_message(failing, fail_on, output_dir):
    """The message for hosts that fail the ``fail_on`` gate."""
    shown = sorted(failing)[:10]
    parts = ["%s (%s)" % (name, ", ".join(failing[name][:10])) for name in shown]
    more = " and %d more" % (len(failing) - len(shown)) if len(failing) > len(shown) else ""
    return "%d host(s) fail checks of severity %s or worse: %s%s. Reports in %s" % (
        len(failing),
        fail_on,
        "; ".join(parts),
        more,
        output_dir,
    )


if __name__ == "__main__":
    raise SystemExit(main())
