"""audit_facts and the compliance report on the fleet soft target (every daemon, inetd's
legacy services on every address): the IDs the inetd and tcp_wrappers roles fix fail before
harden.yml ran and pass after; every host is audited without an error; JSON, JUnit and HTML
agree.

`/var/tmp/bastion-audit-before.json` is the audit taken at the end of prepare; the report
in $MOLECULE_EPHEMERAL_DIRECTORY/reports is the one the callback wrote for the last run
(idempotence: the roles again, then the audit); check-run-compliance.json the one of the
check run (side_effect.yml copies it aside)."""

import json
import os
import pathlib
import xml.etree.ElementTree as ET

import pytest

testinfra_hosts = ["targets"]

# Fixed by the inetd role (legacy services on every address, the telnet socket unit, finger
# run without tcpd) and the tcp_wrappers role (no default deny). Each must fail on the soft
# target and pass afterwards.
FIXED_BY_ROLES = ["NET-01", "INETD-01", "INETD-03", "INETD-04", "TCPW-01"]
REPORTS = pathlib.Path(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent")) / "reports"


def statuses(checks):
    return {c["id"]: c["status"] for c in checks}


@pytest.fixture(scope="module")
def report():
    return json.loads((REPORTS / "compliance.json").read_text())


def hostname(host):
    return host.ansible.get_variables()["inventory_hostname"]


def test_failing_before(host):
    before = json.loads(host.file("/var/tmp/bastion-audit-before.json").content_string)
    got = statuses(before["checks"])
    assert {i: got.get(i) for i in FIXED_BY_ROLES} == {i: "fail" for i in FIXED_BY_ROLES}
    assert before["totals"]["error"] == 0, [c for c in before["checks"] if c["status"] == "error"]


def test_passing_after(host, report):
    entry = report["hosts"][hostname(host)]
    assert entry["status"] == "audited"
    got = statuses(entry["checks"])
    assert {i: got.get(i) for i in FIXED_BY_ROLES} == {i: "pass" for i in FIXED_BY_ROLES}
    assert entry["totals"]["error"] == 0, [c for c in entry["checks"] if c["status"] == "error"]


def test_every_check_names_its_control(host, report):
    for check in report["hosts"][hostname(host)]["checks"]:
        assert check["id"].split("-")[0].isupper() and check["title"] and check["area"], check
        if check["status"] == "fail":
            assert check["remediation"]["text"], check["id"]


def test_before_and_after_agree_on_the_catalogue(host, report):
    before = json.loads(host.file("/var/tmp/bastion-audit-before.json").content_string)
    after = report["hosts"][hostname(host)]["checks"]
    assert [c["id"] for c in before["checks"]] == [c["id"] for c in after]


def test_check_run_reported_drift_and_changed_nothing(host):
    """The --check run of harden.yml recorded, per control ID, what it would change."""
    check_run = json.loads((REPORTS.parent / "check-run-compliance.json").read_text())
    assert check_run["runs"][-1]["check_mode"] is True
    entry = check_run["hosts"][hostname(host)]
    drift = {d["id"] for d in entry["drift"]}
    # The roles' controls behind the IDs that fail before (NET-01 has no task of its own).
    assert {"INETD-01", "INETD-03", "INETD-04", "TCPW-01"} <= drift, sorted(drift)
    # And the audit ran in that same check run, with the soft target's failures.
    got = statuses(entry["checks"])
    assert {i: got.get(i) for i in FIXED_BY_ROLES} == {i: "fail" for i in FIXED_BY_ROLES}


def test_junit_agrees_with_json(report):
    tree = ET.parse(REPORTS / "compliance.junit.xml")
    suites = {s.get("name"): s for s in tree.getroot().iter("testsuite")}
    assert set(report["hosts"]) <= set(suites)
    for name, entry in report["hosts"].items():
        cases = [c for c in suites[name].iter("testcase") if not c.get("classname", "").endswith(".drift")]
        failures = sum(1 for c in cases if c.find("failure") is not None)
        errors = sum(1 for c in cases if c.find("error") is not None)
        skipped = sum(1 for c in cases if c.find("skipped") is not None)
        totals = entry["totals"]
        assert (len(cases), failures, errors, skipped) == (
            len(entry["checks"]),
            totals["fail"],
            totals["error"],
            totals["not_applicable"],
        ), name


def test_html_has_every_host_and_check(report):
    html = (REPORTS / "compliance.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html>")
    for name, entry in report["hosts"].items():
        assert name in html
        for check in entry["checks"]:
            assert check["id"] in html
