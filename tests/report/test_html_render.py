# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render compliance.html in headless Chromium: no console errors, the matrix is built.

Writes a screenshot to .build/report-screenshot.png (and a 50 hosts x 150 checks one to
.build/report-screenshot-large.png). Skips when no Chromium binary is found; set
BASTION_CHROMIUM to use a particular one. Only file:// URLs are opened.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / ".build"
HOSTILE = "<script>alert('evidence')</script><img src=x onerror=alert(2)>"
AREAS = (
    "authentication",
    "authorization",
    "data protection",
    "internet access",
    "internet services",
    "security audit",
    "incident handling",
)
SEVERITIES = ("critical", "high", "medium", "low", "info")
STATUSES = ("pass", "pass", "pass", "fail", "warn", "not_applicable", "pass", "error")


def load_report_module():
    spec = importlib.util.spec_from_file_location("bastion_report_render", ROOT / "plugins/module_utils/report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rpt = load_report_module()


def chromium():
    for name in (os.environ.get("BASTION_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def make_report(n_hosts, n_checks, names=None):
    hosts = {}
    names = names or ["web-%02d" % n for n in range(1, n_hosts + 1)]
    for h, name in enumerate(names):
        checks = []
        for c in range(n_checks):
            status = STATUSES[(c * 7 + h * 3) % len(STATUSES)]
            checks.append(
                {
                    "id": "%s-%02d" % (("NET", "SSH", "FILE", "LOG")[c % 4], c // 4 + 1),
                    "title": "Check number %d of the %s area" % (c + 1, AREAS[c % len(AREAS)]),
                    "area": AREAS[c % len(AREAS)],
                    "severity": SEVERITIES[c % len(SEVERITIES)],
                    "status": status,
                    "evidence": [HOSTILE, "line two for %s" % name] if c == 0 else ["observed value %d" % c],
                    "remediation": {"role": "inetd", "variables": ["inetd_keep"], "text": "Set inetd_keep & rerun."},
                }
            )
        meta, normalized = rpt.normalize_audit(
            {"schema": 1, "hostname": name, "generated": "2025-03-01T10:00:00Z", "duration": 2.5, "checks": checks}
        )
        drift = []
        if h == 0:
            drift.append(
                rpt.drift_item("NET-01 | Disable telnet", {"before": "telnet on\n", "after": "#<off># telnet\n"})
            )
        hosts[name] = rpt.host_entry(
            status="audited", observed=meta["generated"], run="r1", audit=meta, checks=normalized, drift=drift
        )
    run = {"id": "r1", "started": "2025-03-01T09:59:00Z", "finished": "2025-03-01T10:01:00Z", "check_mode": True}
    return rpt.build_report(hosts, [run])


def run_chromium(binary, profile, url, *args):
    """Run headless Chromium on ``url``; return (stdout, console lines from its log)."""
    cmd = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--user-data-dir=%s" % profile,
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=5000",
    ]
    cmd.extend(args)
    cmd.append(url)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # Chromium logs every console message and uncaught exception as ":CONSOLE" lines.
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    return proc.stdout, console


@pytest.fixture(scope="module")
def browser():
    binary = chromium()
    if binary is None:
        pytest.skip("no chromium binary (install Debian's chromium package or set BASTION_CHROMIUM)")
    return binary


def test_small_report_renders(browser, tmp_path):
    names = ["web-01", "db-01", "<b>mail</b>&01"]
    report = make_report(3, 40, names)
    rpt.write_reports(report, str(tmp_path), ["html"])
    page = tmp_path / "compliance.html"
    url = page.as_uri() + "#cell=" + quote(names[2], safe="") + "/NET-01"

    dom, console = run_chromium(browser, tmp_path / "profile", url, "--dump-dom")
    assert console == []
    assert 'data-rendered="40"' in dom
    matrix = dom[dom.index('<table id="matrix"') : dom.index("</table>", dom.index('<table id="matrix"'))]
    assert len(re.findall(r"<button [^>]*data-c=", matrix)) == 3 * 40
    assert matrix.count("<tr") == 41
    for name in names:
        assert html.escape(name, quote=False) in matrix
    # The detail panel opened from the URL, with the evidence as text, not markup.
    detail = dom[dom.index('<aside id="detail"') : dom.index("</aside>")]
    assert "NET-01 on &lt;b&gt;mail&lt;/b&gt;&amp;01" in detail
    assert "&lt;script&gt;alert('evidence')&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in detail
    assert "Set inetd_keep &amp; rerun." in detail
    assert "<img" not in dom
    assert "<b>mail" not in dom

    BUILD.mkdir(exist_ok=True)
    shot = BUILD / "report-screenshot.png"
    if shot.exists():
        shot.unlink()
    _out, console = run_chromium(
        browser, tmp_path / "profile", url, "--window-size=1400,1100", "--screenshot=%s" % shot
    )
    assert console == []
    assert shot.stat().st_size > 10000


def test_large_report_renders(browser, tmp_path):
    report = make_report(50, 150)
    rpt.write_reports(report, str(tmp_path), ["html"])
    page = tmp_path / "compliance.html"
    assert page.stat().st_size < 3 * 1024 * 1024
    start = time.monotonic()
    dom, console = run_chromium(browser, tmp_path / "profile", page.as_uri(), "--dump-dom")
    assert time.monotonic() - start < 60
    assert console == []
    assert 'data-rendered="150"' in dom
    assert len(re.findall(r"<button [^>]*data-c=", dom)) == 50 * 150
    BUILD.mkdir(exist_ok=True)
    _out, console = run_chromium(
        browser,
        tmp_path / "profile",
        page.as_uri(),
        "--window-size=1600,1200",
        "--screenshot=%s" % (BUILD / "report-screenshot-large.png"),
    )
    assert console == []


FILTER_SCRIPT = """<script>
(function () {
  function set(id, value) {
    var node = document.getElementById(id);
    node.value = value;
    node.dispatchEvent(new Event("input", {bubbles: true}));
  }
  var out = {};
  set("f-host", "db");
  out.host = document.getElementById("count").textContent;
  set("f-host", "");
  document.querySelector("input[name=status][value=pass]").click();
  document.querySelector("input[name=status][value=not_applicable]").click();
  document.querySelector("input[name=status][value=warn]").click();
  out.status = document.getElementById("count").textContent;
  set("f-text", "observed value 13");
  out.text = document.getElementById("count").textContent;
  set("f-text", "");
  set("f-severity", "critical");
  out.severity = document.getElementById("count").textContent;
  document.body.setAttribute("data-filters", JSON.stringify(out));
})();
</script>
</body>"""


def test_filters(browser, tmp_path):
    report = make_report(3, 40, ["web-01", "db-01", "db-02"])
    page = rpt.render_html(report)
    assert page.count("</body>") == 1
    (tmp_path / "filters.html").write_text(page.replace("</body>", FILTER_SCRIPT), encoding="utf-8")
    dom, console = run_chromium(browser, tmp_path / "profile", (tmp_path / "filters.html").as_uri(), "--dump-dom")
    assert console == []
    found = re.search(r'data-filters="([^"]*)"', dom)
    assert found, dom[:2000]
    got = json.loads(html.unescape(found.group(1)))
    data = rpt.html_data(report)
    failing_rows = sum(1 for c in data["checks"] if any(cell and cell["s"] in ("fail", "error") for cell in c["cells"]))
    critical_failing = sum(
        1
        for c in data["checks"]
        if c["severity"] == "critical" and any(cell and cell["s"] in ("fail", "error") for cell in c["cells"])
    )
    assert got == {
        "host": "Showing 40 of 40 checks on 2 of 3 hosts",
        "status": "Showing %d of 40 checks on 3 of 3 hosts" % failing_rows,
        "text": "Showing 1 of 40 checks on 3 of 3 hosts",
        "severity": "Showing %d of 40 checks on 3 of 3 hosts" % critical_failing,
    }
