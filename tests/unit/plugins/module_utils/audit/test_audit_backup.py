# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""BACKUP checks on status and secret files laid out as the backup role's script writes them."""

from __future__ import annotations

import os

import pytest
from ansible_collections.bastion.hardening.plugins.module_utils.audit import backup
from audit_helpers import make_ctx

NOW = 2_000_000_000  # make_ctx's clock
REPO = "ssh://borg@172.30.34.50/srv/borg/h1"


@pytest.fixture
def layout(tmp_path, monkeypatch):
    """Point the checks at TMP_PATH: (config dir, status dir)."""
    conf, status = tmp_path / "etc", tmp_path / "var"
    conf.mkdir()
    status.mkdir()
    monkeypatch.setattr(backup, "CONFIG_DIR", str(conf))
    monkeypatch.setattr(backup, "STATUS_DIR", str(status))
    return conf, status


def write(path, text, mode=0o600):
    path.write_text(text)
    os.chmod(path, mode)


def hardened(conf, status, encryption="repokey BLAKE2b", age_seconds=3600):
    write(conf / "passphrase", "correct horse battery staple\n")
    write(conf / "backup.conf", "BORG_REPO='ssh://borg@172.30.34.50/srv/borg/h1'\n")
    write(status / "repository", "repository=ssh://borg@172.30.34.50/srv/borg/h1\nencryption=%s\n" % encryption, 0o644)
    write(
        status / "last-success",
        "# written by bastion-backup\ntime=%d\narchive=h1-2033-05-18T03:33:20\nrepository=ssh://borg@172.30.34.50/srv/borg/h1\n"
        % (NOW - age_seconds),
        0o644,
    )


def test_parse_status_skips_comments_and_junk():
    assert backup.parse_status("# c\n\ntime = 5\njunk\nencryption=repokey BLAKE2b\n") == {
        "time": "5",
        "encryption": "repokey BLAKE2b",
    }


def test_hardened_passes(layout):
    hardened(*layout)
    recent = backup.backup_01_recent(make_ctx())
    assert recent.status == "pass", recent
    assert recent.evidence == [
        "last backup h1-2033-05-18T03:33:20 to ssh://borg@172.30.34.50/srv/borg/h1, 0.0 days ago"
    ]
    encrypted = backup.backup_02_encrypted(make_ctx())
    assert encrypted.status == "pass", encrypted
    assert encrypted.evidence[-1] == "repository ssh://borg@172.30.34.50/srv/borg/h1: encryption repokey BLAKE2b"


def test_soft_target_fails_both(layout):
    recent = backup.backup_01_recent(make_ctx())
    assert recent.status == "fail" and "no backup has completed" in recent.evidence[0]
    encrypted = backup.backup_02_encrypted(make_ctx())
    assert encrypted.status == "fail"
    assert len(encrypted.evidence) == 3 and all("missing" in e for e in encrypted.evidence), encrypted


def test_old_backup_fails_with_the_limit(layout):
    hardened(*layout, age_seconds=3 * 86400)
    result = backup.backup_01_recent(make_ctx())
    assert result.status == "fail" and result.evidence[0].endswith("3.0 days ago: older than 2 days"), result
    assert backup.backup_01_recent(make_ctx({"max_check_age_days": 4})).status == "pass"


def test_future_or_garbled_time_fails(layout):
    conf, status = layout
    hardened(conf, status, age_seconds=-86400)
    assert "in the future" in backup.backup_01_recent(make_ctx()).evidence[0]
    write(status / "last-success", "time=yesterday\n")
    assert backup.backup_01_recent(make_ctx()).evidence == [
        "%s: no time=<epoch seconds> line, got 'yesterday'" % (status / "last-success")
    ]


@pytest.mark.parametrize(
    "mode", ["none", "plaintext", "authenticated", "authenticated-blake2", "authenticated BLAKE2b"]
)
def test_unencrypted_repository_fails(layout, mode):
    hardened(*layout, encryption=mode)
    result = backup.backup_02_encrypted(make_ctx())
    assert result.status == "fail"
    assert result.evidence == ["repository %s: encryption %s, the backups are readable without a key" % (REPO, mode)]


def test_readable_passphrase_fails(layout):
    conf, status = layout
    hardened(conf, status)
    os.chmod(conf / "passphrase", 0o644)
    result = backup.backup_02_encrypted(make_ctx())
    assert result.status == "fail"
    assert result.evidence == [
        "%s has mode 0644: group or others may read it (want 0600 or stricter)" % (conf / "passphrase")
    ]


def test_passphrase_owned_by_another_user_fails(layout):
    conf, status = layout
    hardened(conf, status)
    if os.geteuid() != 0:
        pytest.skip("chown needs root")
    os.chown(conf / "backup.conf", 1000, 0)
    assert backup.backup_02_encrypted(make_ctx()).evidence == [
        "%s is owned by uid 1000, not root" % (conf / "backup.conf")
    ]


def test_passphrase_symlink_fails(layout, tmp_path):
    conf, status = layout
    hardened(conf, status)
    os.unlink(conf / "passphrase")
    os.symlink(tmp_path / "elsewhere", conf / "passphrase")
    assert backup.backup_02_encrypted(make_ctx()).evidence == ["%s is not a regular file" % (conf / "passphrase")]
