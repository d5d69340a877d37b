# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Edit settings of smb.conf in place, keeping every other line (comments included).

smb.conf(5): a parameter name is matched without regard to case or spaces (``hosts allow``,
``Hosts Allow`` and ``hostsallow`` are one parameter), and so is a section name; a line
ending in a backslash continues on the next line; ``#`` and ``;`` start a comment line;
parameters before the first section belong to ``[global]``. When a parameter appears twice
in a section the last one wins: the edit keeps the first line, rewritten, and drops the
others.
"""

from __future__ import annotations

import re

GLOBAL = "global"
_SECTION = re.compile(r"^\s*\[([^\]]*)\]\s*$")
_OPTION = re.compile(r"^(\s*)([^=#;\[\s][^=]*?)\s*=\s*(.*?)\s*$")
DEFAULT_INDENT = "   "


class SmbConfError(Exception):
    """A file or a request the editor cannot handle; the message says what and where."""


def key(name):
    """The form samba compares parameter and section names in: lower case, no whitespace."""
    return re.sub(r"\s+", "", name).lower()


def check_text(what, value):
    """Refuse a name or value that would break out of its line."""
    if not isinstance(value, str) or re.search(r"[\r\n\x00]", value) or value != value.strip() or value.endswith("\\"):
        raise SmbConfError(
            "%s: not one line of text without surrounding spaces or a final backslash: %r" % (what, value)
        )


def parse(text):
    """Logical lines as dicts: kind (blank, comment, section, option, other), the physical
    lines, the section key they belong to and, for options, indent, name and value."""
    physical = text.splitlines(True)
    entries = []
    section = GLOBAL
    i = 0
    while i < len(physical):
        start = i
        line = physical[i].rstrip("\r\n")
        while line.endswith("\\") and i + 1 < len(physical):
            i += 1
            line = line[:-1] + physical[i].rstrip("\r\n")
        i += 1
        raw = physical[start:i]
        stripped = line.strip()
        entry = {"raw": raw, "line": start + 1, "section": section}
        match = _SECTION.match(line)
        if not stripped:
            entry["kind"] = "blank"
        elif stripped[0] in "#;":
            entry["kind"] = "comment"
        elif match:
            section = key(match.group(1))
            entry.update(kind="section", section=section, name=match.group(1).strip())
        else:
            match = _OPTION.match(line)
            if match:
                entry.update(kind="option", indent=match.group(1), name=match.group(2), value=match.group(3))
            else:
                entry["kind"] = "other"
        entries.append(entry)
    return entries


def sections(text):
    """Section keys in file order (without duplicates)."""
    seen = []
    for entry in parse(text):
        if entry["kind"] == "section" and entry["section"] not in seen:
            seen.append(entry["section"])
    return seen


def _render(entries):
    return "".join("".join(entry["raw"]) for entry in entries)


def _set(entries, section, name, value):
    """Set (value a string) or remove (None) one parameter of one section; return changed."""
    wanted = key(name)
    found = [
        n
        for n, e in enumerate(entries)
        if e["kind"] == "option" and e["section"] == section and key(e["name"]) == wanted
    ]
    if value is None:
        for n in reversed(found):
            del entries[n]
        return bool(found)
    changed = False
    if found:
        first = entries[found[0]]
        if first["value"] != value or len(found) > 1:
            newline = first["raw"][-1][len(first["raw"][-1].rstrip("\r\n")) :] or "\n"
            first["raw"] = ["%s%s = %s%s" % (first["indent"], first["name"], value, newline)]
            first["value"] = value
            for n in reversed(found[1:]):
                del entries[n]
            changed = True
        return changed
    members = [n for n, e in enumerate(entries) if e["section"] == section and e["kind"] in ("option", "section")]
    indents = [e["indent"] for e in entries if e["kind"] == "option" and e["section"] == section]
    indent = indents[-1] if indents else DEFAULT_INDENT
    new = {"kind": "option", "section": section, "indent": indent, "name": name, "value": value}
    new["raw"] = ["%s%s = %s\n" % (indent, name, value)]
    if members:
        at = members[-1]
        if not entries[at]["raw"][-1].endswith("\n"):
            entries[at]["raw"][-1] += "\n"
        entries.insert(at + 1, new)
    else:
        # Only [global] can be missing here: add it at the top.
        header = {"kind": "section", "section": GLOBAL, "name": GLOBAL, "raw": ["[global]\n"]}
        entries[0:0] = [header, new]
    return True


def edit(text, settings, all_shares=None):
    """Return (new text, list of changes) for ``settings`` {section: {parameter: value or None}}
    and ``all_shares`` {parameter: value or None}, applied to every section but [global]."""
    entries = parse(text)
    present = sections(text)
    for entry in entries:
        if entry["kind"] == "other":
            raise SmbConfError(
                "line %d: neither a section, a parameter nor a comment: %r"
                % (entry["line"], "".join(entry["raw"]).strip())
            )
    todo = []
    for section, options in settings.items():
        check_text("section name", section)
        if "[" in section or "]" in section:
            raise SmbConfError("section name %r: brackets are not allowed" % section)
        skey = key(section)
        if skey != GLOBAL and skey not in present:
            raise SmbConfError(
                "section [%s] is not in the file (the shares are the operator's: create it first)" % section
            )
        todo.extend((skey, section, name, value) for name, value in (options or {}).items())
    for skey in present:
        if skey != GLOBAL:
            todo.extend((skey, skey, name, value) for name, value in (all_shares or {}).items())
    changes = []
    for skey, section, name, value in todo:
        check_text("parameter name in [%s]" % section, name)
        if re.search(r"[=\[\]#;]", name):
            raise SmbConfError(
                "parameter name %r in [%s]: '=', '[', ']', '#' and ';' are not allowed" % (name, section)
            )
        if value is not None:
            if isinstance(value, bool):
                value = "yes" if value else "no"
            value = str(value)
            if value != "":
                check_text("value of %r in [%s]" % (name, section), value)
        if _set(entries, skey, name, value):
            changes.append("[%s] %s" % (section, name) + (" removed" if value is None else " = %s" % value))
    return _render(entries), changes
