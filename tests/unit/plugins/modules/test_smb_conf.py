# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the smb.conf editor (module_utils/smb_conf.py) and the bastion.hardening.smb_conf
module, run through main()."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible_collections.bastion.hardening.plugins.module_utils.smb_conf import SmbConfError, edit, parse, sections
from ansible_collections.bastion.hardening.plugins.modules import smb_conf
from module_harness import fail_module, run_module

SMALL = "# comment\n[global]\n   workgroup = WORKGROUP\n   map to guest = bad user\n\n[public]\n   guest ok = yes\n"
SETTINGS = {"sections": {"global": {"map to guest": "never"}}, "all_shares": {"guest ok": "no"}}
AFTER = "# comment\n[global]\n   workgroup = WORKGROUP\n   map to guest = never\n\n[public]\n   guest ok = no\n"


@pytest.fixture
def conf(tmp_path):
    path = tmp_path / "smb.conf"
    path.write_text(SMALL)
    return path


def test_check_mode_writes_nothing_and_reports_the_diff(conf):
    result = run_module(smb_conf.main, dict(SETTINGS, path=str(conf), backup=True), check=True, diff=True)
    assert result["changed"]
    assert result["diff"]["before"] == SMALL and result["diff"]["after"] == AFTER
    assert conf.read_text() == SMALL
    assert sorted(p.name for p in conf.parent.iterdir()) == ["smb.conf"]


def test_writes_with_backup_then_no_change(conf):
    result = run_module(smb_conf.main, dict(SETTINGS, path=str(conf), backup=True))
    assert result["changed"] and conf.read_text() == AFTER
    assert result["backup_file"] and Path(result["backup_file"]).read_text() == SMALL
    again = run_module(smb_conf.main, dict(SETTINGS, path=str(conf)))
    assert not again["changed"] and again["changes"] == []


def test_validate_failure_leaves_the_file(conf):
    result = fail_module(
        smb_conf.main, dict(SETTINGS, path=str(conf), validate="/bin/sh -c 'grep -q never %s; exit 3'")
    )
    assert "validating the new %s failed" % conf in result["msg"] and "exit 3" in result["msg"]
    assert conf.read_text() == SMALL


def test_validate_success_writes(conf):
    result = run_module(smb_conf.main, dict(SETTINGS, path=str(conf), validate="grep -q 'map to guest = never' %s"))
    assert result["changed"] and conf.read_text() == AFTER


def test_errors_name_the_file(conf, tmp_path):
    result = fail_module(smb_conf.main, dict(path=str(conf), sections={"nope": {"a": "b"}}))
    assert (
        result["msg"] == "%s: section [nope] is not in the file (the shares are the operator's: create it first)" % conf
    )
    result = fail_module(smb_conf.main, dict(path=str(tmp_path / "missing"), sections={}))
    assert "does not exist" in result["msg"]
    result = fail_module(smb_conf.main, dict(SETTINGS, path=str(conf), validate="testparm -s"))
    assert "validate must contain %s" in result["msg"]


# The head of Debian 12's stock smb.conf (samba 4.17), shortened, plus a guest share.
STOCK = """#
# Sample configuration file for the Samba suite for Debian GNU/Linux.
#
[global]

## Browsing/Identification ###

# Change this to the workgroup/NT-domain name your Samba server will part of
   workgroup = WORKGROUP

;   interfaces = 127.0.0.0/8 eth0
;   bind interfaces only = yes

   log file = /var/log/samba/log.%m
   passwd chat = *Enter\\snew\\s*\\spassword:* %n\\n *Retype\\snew\\s*\\spassword:* %n\\n .
   map to guest = bad user

[homes]
   comment = Home Directories
   browseable = no
   valid users = %S

;[netlogon]
;   comment = Network Logon Service

[public]
   path = /srv/public
   guest ok = yes
"""


def test_sections_are_matched_without_case_or_spaces():
    assert sections(STOCK) == ["global", "homes", "public"]
    assert sections("[Pub Lic]\n") == ["public"]


def test_existing_parameter_rewritten_comments_kept():
    text, changes = edit(STOCK, {"global": {"Map To Guest": "never"}})
    assert "   map to guest = never\n" in text
    assert ";   bind interfaces only = yes\n" in text
    assert text.count("\n") == STOCK.count("\n")
    assert changes == ["[global] Map To Guest = never"]


def test_new_parameter_after_the_last_of_its_section():
    text, _changes = edit(STOCK, {"global": {"bind interfaces only": "yes"}})
    lines = text.splitlines()
    assert lines[lines.index("   map to guest = bad user") + 1] == "   bind interfaces only = yes"
    # the commented example stays commented
    assert ";   bind interfaces only = yes" in lines


def test_all_shares_and_share_settings():
    text, changes = edit(STOCK, {"public": {"hosts allow": "10.0.0.0/8"}}, {"guest ok": "no"})
    assert "   guest ok = no\n   hosts allow = 10.0.0.0/8\n" in text
    assert "   valid users = %S\n   guest ok = no\n" in text
    assert "[netlogon] guest ok = no" not in changes
    assert len(changes) == 3


def test_second_edit_changes_nothing():
    settings = {"global": {"hosts allow": "127.0.0.1", "map to guest": "never"}, "public": {"hosts allow": "127.0.0.1"}}
    once, _changes = edit(STOCK, settings, {"guest ok": "no"})
    twice, changes = edit(once, settings, {"guest ok": "no"})
    assert twice == once and changes == []


def test_duplicates_collapse_and_names_ignore_spaces():
    text, changes = edit("[global]\n  hostsallow = a\n  Hosts Allow = b\n", {"global": {"hosts allow": "c"}})
    assert text == "[global]\n  hostsallow = c\n"
    assert changes


def test_remove_parameter():
    text, changes = edit(STOCK, {"public": {"guest ok": None}})
    assert "guest ok" not in text.split("[public]")[1]
    assert changes == ["[public] guest ok removed"]


def test_parameters_before_any_section_are_global():
    text, _changes = edit("workgroup = X\n", {"global": {"workgroup": "Y"}})
    assert text == "workgroup = Y\n"
    text, _changes = edit("", {"global": {"workgroup": "Y"}})
    assert text == "[global]\n   workgroup = Y\n"


def test_continuation_lines_are_one_parameter():
    entries = parse("[global]\n   a = 1 \\\n 2\n   b = 3\n")
    assert [e["kind"] for e in entries] == ["section", "option", "option"]
    text, _changes = edit("[global]\n   a = 1 \\\n 2\n", {"global": {"a": "3"}})
    assert text == "[global]\n   a = 3\n"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"missing": {"a": "b"}}, "section [missing] is not in the file"),
        ({"global": {"a": "b\n[evil]"}}, "value of 'a' in [global]: not one line"),
        ({"pub]lic": {"a": "b"}}, "brackets are not allowed"),
        ({"global": {"a = b": "c"}}, "'=', '[', ']', '#' and ';' are not allowed"),
        ({"global": {"a": "b\\"}}, "final backslash"),
    ],
)
def test_errors(settings, message):
    with pytest.raises(SmbConfError, match=message.replace("[", "\\[").replace("]", "\\]")):
        edit(STOCK, settings)


def test_unparsable_line_named():
    with pytest.raises(SmbConfError, match="line 2: neither"):
        edit("[global]\nfoo\n", {"global": {"a": "b"}})
