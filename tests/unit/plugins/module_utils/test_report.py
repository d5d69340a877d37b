# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/report.py: model, merge and the three renderers."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ansible_collections.bastion.hardening.plugins.module_utils import report as rpt

ROOT = Path(__file__).resolve().parents[4]
HOSTILE = "<script>alert('x')</script>"


def check(cid, status="pass", severity="medium", area="internet services", evidence=None, title=None):
    return {
        "id": cid,
        "title": title or "Check %s" % cid,
        "area": area,
        "severity": severity,
        "status": status,
        "evidence": evidence if evidence is not None else ["seen on %s" % cid],
        "remediation": {"role": "inetd", "variables": ["inetd_keep"], "text": "Fix %s." % cid},
    }


def audit(hostname, checks, generated="2025-03-01T10:00:00Z"):
    return {
        "schema": 1,
        "hostname": hostname,
        "generated": generated,
        "duration": 1.25,
        "checks": checks,
        "totals": {},
        "sockets": [],
        "walk": {},
    }


def entry(name, checks, generated="2025-03-01T10:00:00Z", run="run1", status="audited", drift=None, message=None):
    meta, normalized = rpt.normalize_audit(audit(name, checks, generated))
    return rpt.host_entry(
        status=status, message=message, observed=generated, run=run, audit=meta, checks=normalized, drift=drift
    )


def run_meta(run_id="run1", check_mode=False):
    return {
        "id": run_id,
        "started": "2025-03-01T09:59:00Z",
        "finished": "2025-03-01T10:01:00Z",
        "check_mode": check_mode,
    }


def sample_report():
    drift = [rpt.drift_item("INETD-04 | Run kept services through tcpd", {"before": "a\n", "after": "b\n"})]
    hosts = {
        "web1": entry(
            "web1",
            [
                check("INETD-01", "fail", "high", evidence=[HOSTILE]),
                check("INETD-02", "pass"),
                check("INETD-03", "warn", "low"),
                check("INETD-04", "not_applicable"),
                check("INETD-05", "error", "critical"),
            ],
            drift=drift,
        ),
        "db1": entry("db1", [check("INETD-01", "pass", "high"), check("INETD-02", "fail", "medium")]),
        "down1": rpt.host_entry(status="unreachable", message="ssh: connect refused", observed="2025-03-01T10:01:00Z"),
    }
    return rpt.build_report(hosts, [run_meta(check_mode=True)])


# ---------------------------------------------------------------------------- model


def test_normalize_check_keeps_known_fields():
    got = rpt.normalize_check(check("NET-01", "fail", "critical"))
    assert got == {
        "id": "NET-01",
        "title": "Check NET-01",
        "area": "internet services",
        "severity": "critical",
        "status": "fail",
        "evidence": ["seen on NET-01"],
        "remediation": {"role": "inetd", "variables": ["inetd_keep"], "text": "Fix NET-01."},
    }


def test_normalize_check_coerces_untrusted_values():
    got = rpt.normalize_check(
        {"id": 7, "status": "exploded", "severity": "apocalyptic", "evidence": "one line", "remediation": "nope"}
    )
    assert got["id"] == "7"
    assert got["status"] == "error"
    assert got["severity"] == "info"
    assert got["evidence"] == ["one line", "[report: unknown status exploded]"]
    assert got["remediation"] == {"role": None, "variables": [], "text": ""}
    assert rpt.normalize_check("not a mapping") is None


def test_normalize_check_bounds_evidence():
    got = rpt.normalize_check(check("NET-01", evidence=["x" * 10000] * 60))
    assert len(got["evidence"]) == rpt.MAX_EVIDENCE_ITEMS + 1
    assert got["evidence"][-1] == "[10 more evidence items not shown]"
    assert got["evidence"][0].endswith("... [%d more characters]" % (10000 - rpt.MAX_EVIDENCE_CHARS))


@pytest.mark.parametrize(
    "value, why",
    [
        ("text", "bastion_audit is a str, not a mapping"),
        ({"schema": 1}, "bastion_audit has no list of checks"),
    ],
)
def test_normalize_audit_rejects(value, why):
    with pytest.raises(ValueError, match=re.escape(why)):
        rpt.normalize_audit(value)


def test_normalize_audit_meta():
    meta, checks = rpt.normalize_audit(audit("web1", [check("NET-01"), "junk"]))
    assert meta == {"schema": 1, "hostname": "web1", "generated": "2025-03-01T10:00:00Z", "duration": 1.25}
    assert [c["id"] for c in checks] == ["NET-01"]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("INETD-04 | Run kept inetd.conf services through tcpd", "INETD-04"),
        ("TEST-01 | something", "TEST-01"),
        ("INETD-4 | too short", None),
        ("inetd-04 | lower case", None),
        ("Gather facts", None),
        ("", None),
        (None, None),
    ],
)
def test_control_id(name, expected):
    assert rpt.control_id(name) == expected


def test_diff_text_before_after_and_prepared():
    text = rpt.diff_text(
        [
            {"before": "a\nb\n", "after": "a\nc\n", "before_header": "/etc/x (content)", "after_header": "/etc/x"},
            {"prepared": "prepared text"},
            {"before": {"state": "absent"}, "after": {"state": "file"}},
        ]
    )
    assert "--- /etc/x (content)\n+++ /etc/x\n" in text
    assert "-b\n+c\n" in text
    assert "prepared text" in text
    assert '-  "state": "absent"\n+  "state": "file"\n' in text
    assert rpt.diff_text(None) == ""


def test_drift_item_truncates_long_diffs():
    before = "".join("line %d\n" % n for n in range(500))
    item = rpt.drift_item("TEST-01 | big", {"before": before, "after": ""}, action="ansible.builtin.copy")
    assert item["id"] == "TEST-01"
    assert item["action"] == "ansible.builtin.copy"
    assert item["truncated"] is True
    assert len(item["diff"].splitlines()) == rpt.MAX_DIFF_LINES + 1
    assert item["diff"].endswith("more lines]\n")
    assert rpt.drift_item("No control ID here", {"before": "", "after": "x"}) is None
    assert rpt.drift_item("TEST-02 | no diff")["diff"] is None


def test_build_report_totals():
    report = sample_report()
    assert list(report["hosts"]) == ["db1", "down1", "web1"]
    assert report["hosts"]["web1"]["totals"] == {
        "pass": 1,
        "fail": 1,
        "warn": 1,
        "not_applicable": 1,
        "error": 1,
        "drift": 1,
    }
    assert report["totals"] == {
        "hosts": 3,
        "host_status": {"unreachable": 1, "failed": 0, "audited": 2, "no_audit": 0},
        "checks": {"fail": 2, "error": 1, "warn": 1, "pass": 2, "not_applicable": 1},
        "drift": 1,
        "failing_hosts": 3,
    }


@pytest.mark.parametrize(
    "fail_on, expected",
    [
        ("none", {}),
        ("critical", {}),
        ("high", {"web1": ["INETD-01"]}),
        ("medium", {"db1": ["INETD-02"], "web1": ["INETD-01"]}),
        ("low", {"db1": ["INETD-02"], "web1": ["INETD-01"]}),
    ],
)
def test_failing_checks(fail_on, expected):
    assert rpt.failing_checks(sample_report(), fail_on) == expected


def test_gate_message():
    msg = rpt.gate_message({"web1": ["INETD-01"], "db1": ["INETD-02", "INETD-03"]}, "high", "reports")
    assert msg == (
        "2 host(s) fail checks of severity high or worse: db1 (INETD-02, INETD-03); web1 (INETD-01). Reports in reports"
    )


# ---------------------------------------------------------------------------- merge


def test_merge_newest_host_result_wins():
    old = rpt.build_report(
        {
            "web1": entry("web1", [check("NET-01", "fail")], "2025-03-01T10:00:00Z", run="a"),
            "db1": entry("db1", [check("NET-01", "fail")], "2025-03-01T12:00:00Z", run="a"),
        },
        [run_meta("a")],
    )
    new = rpt.build_report(
        {
            "web1": entry("web1", [check("NET-01", "pass")], "2025-03-02T10:00:00+00:00", run="b"),
            "db1": entry("db1", [check("NET-01", "pass")], "2025-03-01T11:00:00Z", run="b"),
            "app1": rpt.host_entry(status="unreachable", message="gone", observed="2025-03-02T10:00:00Z", run="b"),
        },
        [run_meta("b")],
    )
    merged = rpt.merge_reports([json.loads(rpt.render_json(old)), json.loads(rpt.render_json(new))])
    assert [r["id"] for r in merged["runs"]] == ["a", "b"]
    assert merged["hosts"]["web1"]["run"] == "b"
    assert merged["hosts"]["web1"]["checks"][0]["status"] == "pass"
    assert merged["hosts"]["db1"]["run"] == "a"
    assert merged["hosts"]["app1"]["status"] == "unreachable"
    assert merged["totals"]["checks"]["fail"] == 1
    assert merged["totals"]["hosts"] == 3


def test_merge_equal_times_later_report_wins_and_runs_once():
    first = rpt.build_report({"web1": entry("web1", [check("NET-01", "fail")], run="a")}, [run_meta("a")])
    second = rpt.build_report({"web1": entry("web1", [check("NET-01", "pass")], run="b")}, [run_meta("b")])
    merged = rpt.merge_reports([first, second, first, second])
    assert merged["hosts"]["web1"]["run"] == "b"
    assert [r["id"] for r in merged["runs"]] == ["a", "b"]


@pytest.mark.parametrize(
    "report, why",
    [
        ([], "report 1: not a JSON object"),
        ({"schema": 2, "hosts": {}, "runs": []}, "report 1: schema 2, expected 1"),
        ({"schema": 1, "runs": []}, "report 1: no 'hosts' object"),
        ({"schema": 1, "hosts": {"a": {}}, "runs": []}, "report 1: host 'a' has no list of checks"),
        ({"schema": 1, "hosts": {}}, "report 1: no 'runs' list"),
    ],
)
def test_merge_rejects_bad_reports(report, why):
    with pytest.raises(rpt.ReportError, match=re.escape(why)):
        rpt.merge_reports([report])


# ---------------------------------------------------------------------------- renderers


def test_render_json_round_trips():
    report = sample_report()
    assert json.loads(rpt.render_json(report)) == report


def test_render_junit_counts_agree_with_totals():
    report = sample_report()
    root = ET.fromstring(rpt.render_junit(report))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == set(report["hosts"])
    totals = report["totals"]
    cases = root.findall("testsuite/testcase")
    host_errors = totals["host_status"]["unreachable"] + totals["host_status"]["failed"]
    assert len(cases) == sum(totals["checks"].values()) + totals["drift"] + host_errors
    assert len(root.findall("testsuite/testcase/failure")) == totals["checks"]["fail"] + totals["drift"]
    assert len(root.findall("testsuite/testcase/error")) == totals["checks"]["error"] + host_errors
    assert len(root.findall("testsuite/testcase/skipped")) == totals["checks"]["not_applicable"]
    assert root.get("tests") == str(len(cases))
    for name, suite in suites.items():
        assert int(suite.get("tests")) == len(suite.findall("testcase")), name
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure")), name
        assert int(suite.get("errors")) == len(suite.findall("testcase/error")), name
    web1 = suites["web1"]
    warn = [c for c in web1.findall("testcase") if c.get("name").startswith("INETD-03 ")][0]
    assert warn.find("system-out").text.startswith("WARNING: low: Check INETD-03")
    assert len(warn) == 1
    failure = [c for c in web1.findall("testcase") if c.get("name").startswith("INETD-01 ")][0].find("failure")
    assert HOSTILE in failure.text
    assert "role: inetd" in failure.text
    drift = [c for c in web1.findall("testcase") if c.get("classname") == "web1.drift"][0]
    assert drift.find("failure").get("type") == "drift"
    down = suites["down1"].find("testcase/error")
    assert down.get("type") == "unreachable"
    assert down.get("message") == "ssh: connect refused"


def test_render_junit_replaces_characters_xml_cannot_carry():
    report = rpt.build_report(
        {"h\x01": entry("h", [check("NET-01", "fail", evidence=["nul\x00 bell\x07 ok\ttab"])])}, [run_meta()]
    )
    root = ET.fromstring(rpt.render_junit(report))
    assert root.find("testsuite").get("name") == "h\ufffd"
    assert "nul\ufffd bell\ufffd ok\ttab" in root.find("testsuite/testcase/failure").text


def test_render_html_escapes_untrusted_text():
    hosts = {
        "web1": entry("web1", [check("NET-01", "fail", evidence=[HOSTILE, "</script><img src=x onerror=alert(1)>"])]),
        "<b>evil</b>": entry("evil", [check("NET-02", "pass", title=HOSTILE, area="<i>area</i>")]),
    }
    page = rpt.render_html(rpt.build_report(hosts, [run_meta()]))
    # Only the page's own two script elements, and nothing from the hosts as markup.
    assert page.count("<script") == 2
    assert page.count("</script>") == 2
    assert "<img" not in page
    assert "<b>evil</b>" not in page
    assert "&lt;b&gt;evil&lt;/b&gt;" in page
    assert "<i>area</i>" not in page
    assert "innerHTML" not in page
    assert "outerHTML" not in page
    assert "insertAdjacentHTML" not in page
    assert "document.write" not in page


def test_render_html_has_every_host_and_check_and_no_external_resource():
    report = sample_report()
    page = rpt.render_html(report)
    for name in report["hosts"]:
        assert name in page
    for cid in ("INETD-01", "INETD-02", "INETD-03", "INETD-04", "INETD-05"):
        assert cid in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page
    assert 'id="drift"' in page


def test_html_data_rows_failing_first():
    data = rpt.html_data(sample_report())
    assert [c["id"] for c in data["checks"]] == ["INETD-01", "INETD-02", "INETD-05", "INETD-03", "INETD-04"]
    assert [h["name"] for h in data["hosts"]] == ["db1", "down1", "web1"]
    inetd01 = data["checks"][0]
    assert [c and c["s"] for c in inetd01["cells"]] == ["pass", None, "fail"]


def test_write_reports_only_the_asked_formats(tmp_path):
    written = rpt.write_reports(sample_report(), str(tmp_path / "out"), ["json", "html"])
    assert written == [str(tmp_path / "out" / "compliance.json"), str(tmp_path / "out" / "compliance.html")]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["compliance.html", "compliance.json"]


# ---------------------------------------------------------------------------- merge command


def write(path, report):
    path.write_text(rpt.render_json(report), encoding="utf-8")
    return str(path)


def test_main_merges_and_gates(tmp_path, capsys):
    a = write(tmp_path / "a.json", sample_report())
    newer = entry("web1", [check("INETD-01", "pass")], "2025-04-01T00:00:00Z", run="b")
    b = write(tmp_path / "b.json", rpt.build_report({"web1": newer}, [run_meta("b")]))
    out = tmp_path / "merged"
    assert rpt.main(["merge", "-o", str(out), a, b]) == 0
    merged = json.loads((out / "compliance.json").read_text())
    assert merged["hosts"]["web1"]["run"] == "b"
    assert rpt.main(["merge", "-o", str(out), "--fail-on", "medium", a, b]) == 3
    assert "1 host(s) fail checks of severity medium or worse: db1 (INETD-02)" in capsys.readouterr().err
    assert rpt.main(["merge", "-o", str(out), "--fail-on", "high", a, b]) == 0


def test_main_reports_unreadable_input(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert rpt.main(["merge", "-o", str(tmp_path / "o"), str(bad)]) == 1
    assert capsys.readouterr().err.startswith("report_merge: cannot read %s: " % bad)


def test_main_rejects_unknown_format(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        rpt.main(["merge", "-f", "json,pdf", str(tmp_path / "a.json")])
    assert exc.value.code == 2
    assert "unknown format(s): pdf" in capsys.readouterr().err


def test_tools_report_merge_script(tmp_path):
    script = ROOT / "tools" / "report_merge.py"
    if not script.exists():
        pytest.skip("tools/report_merge.py is not part of this copy of the collection")
    a = write(tmp_path / "a.json", sample_report())
    proc = subprocess.run(
        [sys.executable, str(script), "merge", "-o", str(tmp_path / "m"), "-f", "junit", a],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "%s\n" % (tmp_path / "m" / "compliance.junit.xml")
