# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SSH checks on real ``sshd -T`` output: stock Debian 11 and 13 (OpenSSH 8.4, 10.0) and
Debian 12 after the ssh role (its molecule scenario)."""

from __future__ import annotations

import pytest
from ansible_collections.bastion.hardening.plugins.module_utils.audit import ssh
from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import CommandResult
from audit_helpers import AUDIT, make_ctx

FIX = AUDIT / "ssh"
CHECKS = [ssh.ssh_01_root_login, ssh.ssh_02_passwords, ssh.ssh_03_algorithms, ssh.ssh_04_allowed, ssh.ssh_06_session]


def ctx_with(name, monkeypatch, rc=0):
    monkeypatch.setattr(ssh, "which", lambda name: "/usr/sbin/sshd")
    out = (FIX / name).read_text() if name else ""
    return make_ctx(
        answers={
            ("/usr/sbin/sshd", "-T"): CommandResult(
                rc, out, "" if rc == 0 else "Missing privilege separation directory: /run/sshd"
            )
        }
    )


def test_parse_keeps_repeated_keywords_in_order():
    values = ssh.parse_sshd_t((FIX / "sshd-T-hardened-debian12.txt").read_text())
    assert values["allowusers"] == ["alice", "root"]
    assert values["allowgroups"] == ["sshusers", "root"]
    assert values["permitrootlogin"] == ["without-password"]


@pytest.mark.parametrize("check", CHECKS)
def test_hardened_passes(check, monkeypatch):
    result = check(ctx_with("sshd-T-hardened-debian12.txt", monkeypatch))
    assert result.status == "pass", result


def test_stock_debian11_fails_algorithms_and_allowed_users(monkeypatch):
    ctx = ctx_with("sshd-T-stock-debian11.txt", monkeypatch)
    algorithms = ssh.ssh_03_algorithms(ctx)
    assert algorithms.status == "fail"
    assert any(e.startswith("kexalgorithms: old or weak ecdh-sha2-nistp256") for e in algorithms.evidence), algorithms
    assert any("hmac-sha1" in e for e in algorithms.evidence), algorithms
    assert ssh.ssh_04_allowed(ctx).status == "fail"
    # Stock: passwords on, X11 forwarding on, MaxAuthTries 6.
    assert ssh.ssh_02_passwords(ctx).evidence == ["passwordauthentication yes: want no"]
    session = ssh.ssh_06_session(ctx)
    assert session.status == "fail"
    assert "x11forwarding yes: want no" in session.evidence and "maxauthtries 6: want 4 or fewer" in session.evidence
    # Stock root login is key-only already.
    assert ssh.ssh_01_root_login(ctx).status == "pass"


def test_stock_debian13_fails_too(monkeypatch):
    ctx = ctx_with("sshd-T-stock-debian13.txt", monkeypatch)
    assert [c(ctx).status for c in CHECKS] == ["pass", "fail", "fail", "fail", "fail"]


def test_root_with_password_fails(monkeypatch):
    monkeypatch.setattr(ssh, "which", lambda name: "/usr/sbin/sshd")
    ctx = make_ctx(answers={("/usr/sbin/sshd", "-T"): CommandResult(0, "permitrootlogin yes\n", "")})
    assert ssh.ssh_01_root_login(ctx).evidence == ["permitrootlogin yes: root may log in with a password"]


def test_sshd_t_failure_is_an_error_not_a_pass(monkeypatch):
    result = ssh.ssh_01_root_login(ctx_with(None, monkeypatch, rc=255))
    assert result.status == "error" and "privilege separation" in result.evidence[0]


def test_no_sshd_is_not_applicable(monkeypatch):
    monkeypatch.setattr(ssh, "which", lambda name: None)
    assert ssh.ssh_04_allowed(make_ctx()).status == "not_applicable"


def test_sshd_t_runs_once_per_audit(monkeypatch):
    ctx = ctx_with("sshd-T-hardened-debian12.txt", monkeypatch)
    for check in CHECKS:
        check(ctx)
    assert ctx.run.calls == [["/usr/sbin/sshd", "-T"]]
