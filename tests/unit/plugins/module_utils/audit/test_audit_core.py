# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Core of the audit engine: results, selection, runner, option validation, client patterns."""

from __future__ import annotations

import ipaddress
import re

import pytest
from ansible_collections.bastion.hardening.plugins.module_utils.audit import catalog
from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import (
    AREAS,
    DEFAULT_OPTIONS,
    Check,
    OptionError,
    Result,
    classify_client,
    failed,
    logical_lines,
    passed,
    read_dpkg_status,
    run_checks,
    scope_result,
    selected,
    shorten,
    totals,
    validate_options,
)
from audit_helpers import make_ctx

TRUSTED = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128")]


def test_result_rejects_unknown_status():
    with pytest.raises(ValueError, match="unknown status 'ok'"):
        Result("ok")


def test_check_rejects_unknown_area():
    with pytest.raises(ValueError, match="X-01: unknown area 'network'"):
        Check("X-01", "t", "network", "low", None)


@pytest.mark.parametrize(
    "check_id, only, skip, expected",
    [
        ("NET-01", [], [], True),
        ("NET-01", ["NET"], [], True),
        ("NET-01", ["net-"], [], True),
        ("NET-01", ["NET-02"], [], False),
        ("NET-01", [], ["NET"], False),
        ("NET-10", ["NET-1"], [], False),
        ("INETD-04", ["INETD-04", "TMP"], [], True),
        ("INETD-04", ["INETD"], ["INETD-04"], False),
        ("INET-01", ["INETD"], [], False),
    ],
)
def test_selected(check_id, only, skip, expected):
    assert selected(check_id, only, skip) is expected


def boom(ctx):
    raise KeyError("no such thing")


def not_a_result(ctx):
    return "pass"


def test_run_checks_turns_exceptions_into_error():
    checks = [
        Check("T-01", "raises", "security audit", "low", boom),
        Check("T-02", "returns junk", "security audit", "low", not_a_result),
        Check("T-03", "passes", "security audit", "info", lambda ctx: passed("fine"), "inetd", ["x_enabled"], "do x"),
        Check("T-04", "skipped", "security audit", "info", lambda ctx: failed("no")),
    ]
    reports = run_checks(checks, make_ctx({"skip": ["T-04"]}))
    assert [(r["id"], r["status"], r["evidence"]) for r in reports] == [
        ("T-01", "error", ["check failed: KeyError: 'no such thing'"]),
        ("T-02", "error", ["check failed: TypeError: check returned 'pass' instead of a Result"]),
        ("T-03", "pass", ["fine"]),
    ]
    assert reports[2] == {
        "id": "T-03",
        "title": "passes",
        "area": "security audit",
        "severity": "info",
        "status": "pass",
        "evidence": ["fine"],
        "remediation": {"role": "inetd", "variables": ["x_enabled"], "text": "do x"},
    }
    assert totals(reports) == {"pass": 1, "fail": 0, "warn": 0, "not_applicable": 0, "error": 2}


def test_shorten():
    assert shorten(["a", "b"], 3) == ["a", "b"]
    assert shorten(["a", "b", "c", "d"], 3) == ["a", "b", "... and 2 more"]


def test_catalog_ids_unique_and_well_formed():
    ids = [c.id for c in catalog.CHECKS]
    assert len(ids) == len(set(ids))
    assert all(c.area in AREAS for c in catalog.CHECKS)
    assert [i for i in ids if i.startswith("INETD")] == ["INETD-0%d" % n for n in range(1, 7)]
    assert len(ids) == 97


def test_catalog_remediation_names_real_roles_and_variables():
    """A check's role exists and each toggle it names is in that role's argument_specs, and a
    role's control prefix is the check's (an ID in the report leads to the task that fixes it)."""
    import pathlib

    import yaml

    roles = pathlib.Path(catalog.__file__).resolve().parents[3] / "roles"
    for check in catalog.CHECKS:
        if check.role is None:
            assert not check.variables, check.id
            continue
        spec = roles / check.role / "meta" / "argument_specs.yml"
        assert spec.is_file(), (check.id, check.role)
        options = yaml.safe_load(spec.read_text())["argument_specs"]["main"]["options"]
        assert check.variables, check.id
        # A collection-wide policy variable (docs/policy.md) is no role option.
        assert [v for v in check.variables if v not in options and not v.startswith("bastion_")] == [], check.id
        tasks = "".join(p.read_text() for p in (roles / check.role / "tasks").glob("*.yml"))
        tag = check.id.lower().replace("-", "_")
        assert re.search(r"%s\b" % re.escape(check.id), tasks) or re.search(r"\b%s\b" % tag, tasks), check.id


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("trusted_networks", ["10.0.0.0/33"], "trusted_networks: invalid network '10.0.0.0/33'"),
        ("trusted_networks", ["bastion"], "trusted_networks: invalid network 'bastion'"),
        ("internal_addresses", ["127.0.0.1/8"], "internal_addresses: invalid address '127.0.0.1/8'"),
        ("allowed_services", ["ssh"], "allowed_services: invalid service 'ssh' (expected proto/port like tcp/22)"),
        ("allowed_services", ["tcp/70000"], "allowed_services: invalid service 'tcp/70000'"),
        ("walk_time_budget", -1, "walk_time_budget: must not be negative, got -1"),
        ("walk_roots", ["usr"], "walk_roots: 'usr' is not an absolute path"),
    ],
)
def test_validate_options(option, value, message):
    options = dict(DEFAULT_OPTIONS)
    options[option] = value
    with pytest.raises(OptionError) as e:
        validate_options(options)
    assert str(e.value).startswith(message)


def test_validate_options_defaults():
    validate_options(dict(DEFAULT_OPTIONS))


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("ALL", "all"),
        ("all", "all"),
        ("*", "all"),
        ("LOCAL", "trusted"),
        ("127.0.0.1", "trusted"),
        ("10.1.", "trusted"),
        ("10.0.0.0/255.0.0.0", "trusted"),
        ("10.0.0.0/8", "trusted"),
        ("192.168.1.", "untrusted"),
        ("0.0.0.0/0", "all"),
        ("[::1]", "trusted"),
        ("[2001:db8::]/32", "untrusted"),
        (".example.org", "unknown"),
        ("host.example.org", "unknown"),
        ("@admins", "unknown"),
        ("PARANOID", "unknown"),
    ],
)
def test_classify_client(pattern, expected):
    assert classify_client(pattern, TRUSTED) == expected


def test_logical_lines():
    text = "  a = 1 \\\n   b \\\n c\n\n# x \\\ny\n  \\\n\nlast \\"
    # Numbered by their first line; empty ones left out; an open continuation at the end dropped.
    assert list(logical_lines(text)) == [(1, "a = 1  b  c"), (5, "# x  y")]
    assert list(logical_lines("a # b \\\nc\n")) == [(1, "a # b  c")]
    assert list(logical_lines("a # b \\\nc\n", lambda line: line.split("#", 1)[0].strip())) == [(1, "a"), (2, "c")]


@pytest.mark.parametrize(
    "scope, status", [("all", "fail"), ("untrusted", "fail"), ("unknown", "warn"), ("trusted", "pass"), (None, "pass")]
)
def test_scope_result(scope, status):
    assert scope_result(scope, ["e1", "e2"]) == Result(status, ["e1", "e2"])


def test_read_dpkg_status(tmp_path):
    status = tmp_path / "status"
    status.write_text(
        "Package: postfix\nStatus: install ok installed\nVersion: 3.7.11-0+deb12u1\n\n"
        "Package: telnetd\nStatus: deinstall ok config-files\nVersion: 0.17+2.4-2\n\n"
        "Package: aide\nStatus: install ok installed\nVersion: 0.18.3-1+deb12u3\n"
    )
    assert read_dpkg_status(str(status)) == {"postfix": "3.7.11-0+deb12u1", "aide": "0.18.3-1+deb12u3"}
    assert read_dpkg_status(str(tmp_path / "missing")) is None
