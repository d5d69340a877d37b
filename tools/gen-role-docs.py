#!/usr/bin/env python
"""Render each role's defaults/main.yml, README variable table and docs/roles/<role>.md page
from meta/argument_specs.yml (and the control IDs in its task names).

tools/gen-role-docs.py            rewrite the generated files
tools/gen-role-docs.py --check    exit 1 and name the files that differ (CI)
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent


class IndentedDumper(yaml.SafeDumper):
    """Indent block sequences under their key, as yamllint's default indentation rule wants."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


BEGIN = "<!-- BEGIN GENERATED VARIABLES: tools/gen-role-docs.py -->"
END = "<!-- END GENERATED VARIABLES -->"


def main_spec(role: pathlib.Path) -> dict:
    return yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]


def render_defaults(role: pathlib.Path, opts: dict) -> str:
    out = [
        "---",
        "# Generated from meta/argument_specs.yml by tools/gen-role-docs.py: edit the spec, not this file.",
    ]
    for name, opt in opts.items():
        if "default" not in opt:
            continue
        dumped = yaml.dump({name: opt["default"]}, Dumper=IndentedDumper, default_flow_style=False, sort_keys=False)
        out.append(dumped.rstrip("\n"))
    return "\n".join(out) + "\n"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_table(opts: dict) -> str:
    rows = ["| Variable | Type | Default | Description |", "| --- | --- | --- | --- |"]
    for name, opt in opts.items():
        kind = opt.get("type", "str")
        if kind == "list" and "elements" in opt:
            kind = "list of %s" % opt["elements"]
        if "choices" in opt:
            kind += " (%s)" % ", ".join(str(c) for c in opt["choices"])
        default = (
            "(required)"
            if opt.get("required")
            else "`%s`"
            % yaml.safe_dump(opt.get("default"), default_flow_style=True, width=10_000)
            .strip()
            .removesuffix("...")
            .strip()
        )
        desc = text(opt.get("description", ""), " ")
        rows.append("| `%s` | %s | %s | %s |" % (name, kind, cell(default), cell(desc)))
    return "\n".join(rows) + "\n"


ID_IN_NAME = re.compile(r"^((?:[A-Z]+-\d+ )+)\| (.*)$")
ID_IN_TAG = re.compile(r"^([a-z]+)_(\d+)$")


def tasks_of(items):
    """Every task in a task list, blocks flattened."""
    for item in items or []:
        if not isinstance(item, dict):
            continue
        yield item
        for key in ("block", "rescue", "always"):
            yield from tasks_of(item.get(key))


def controls(role: pathlib.Path) -> list:
    """[(id, [what the tasks do])] in ID order: IDs from task names ("DNS-02 | ...") and tags (dns_02)."""
    found: dict = {}
    for path in sorted((role / "tasks").glob("*.yml")):
        for task in tasks_of(yaml.safe_load(path.read_text())):
            match = ID_IN_NAME.match(str(task.get("name", "")))
            if not match:
                continue
            ids = set(match.group(1).split())
            tags = task.get("tags") or []
            for tag in [tags] if isinstance(tags, str) else tags:
                tag_match = ID_IN_TAG.match(str(tag))
                if tag_match:
                    ids.add("%s-%s" % (tag_match.group(1).upper(), tag_match.group(2)))
            for control in ids:
                names = found.setdefault(control, [])
                if match.group(2) not in names:
                    names.append(match.group(2))
    return sorted(found.items(), key=lambda item: (item[0].split("-")[0], int(item[0].split("-")[1])))


def text(value, joiner="\n\n") -> str:
    """An argument_specs description (string or list) as Markdown: C(x)/I(x) become code."""
    if isinstance(value, list):
        value = joiner.join(value)
    return re.sub(r"\b[CI]\(([^)]*)\)", r"`\1`", value or "")


def render_page(role: pathlib.Path, spec: dict, opts: dict, table: str) -> str:
    """docs/roles/<role>.md: what the role does, its controls and its variables."""
    name = role.name
    out = [
        "<!-- Generated from roles/%s/meta/argument_specs.yml by tools/gen-role-docs.py: edit the spec. -->" % name,
        "# Role `bastion.hardening.%s`" % name,
        "",
        text(spec.get("short_description", "")),
        "",
        text(spec.get("description", "")),
        "",
        "Role README (platforms, examples, what is verified): [roles/%s/README.md](../../roles/%s/README.md)."
        % (name, name),
        "",
        "## Controls",
        "",
        "Each ID is a task name prefix and a tag (`--tags %s_NN`), and the audit check of the same ID "
        "([audit-checks.md](../audit-checks.md)) tells whether a host complies." % name,
        "",
        "| ID | Tasks |",
        "| --- | --- |",
    ]
    for control, names in controls(role):
        out.append("| %s | %s |" % (control, cell("; ".join(names))))
    out += ["", "## Variables", "", table]
    return "\n".join(out)


def render_index(pages: dict) -> str:
    out = [
        "<!-- Generated by tools/gen-role-docs.py. -->",
        "# Roles",
        "",
        "One page per role, generated from its `meta/argument_specs.yml`.",
        "",
        "| Role | What it does |",
        "| --- | --- |",
    ]
    for name, summary in sorted(pages.items()):
        out.append("| [%s](%s.md) | %s |" % (name, name, cell(summary)))
    return "\n".join(out) + "\n"


def render_readme(text: str, table: str, path: pathlib.Path) -> str:
    if BEGIN not in text or END not in text:
        raise SystemExit("%s: missing the markers %r and %r" % (path, BEGIN, END))
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    return head + BEGIN + "\n" + table + END + tail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report differences instead of writing")
    args = parser.parse_args()
    stale = []
    targets = {}
    summaries = {}
    for role in sorted((ROOT / "roles").iterdir()):
        if not (role / "meta" / "argument_specs.yml").is_file():
            continue
        spec = main_spec(role)
        opts = spec.get("options", {})
        table = render_table(opts)
        readme = role / "README.md"
        targets[role / "defaults" / "main.yml"] = render_defaults(role, opts)
        targets[readme] = render_readme(readme.read_text() if readme.exists() else "", table, readme)
        targets[ROOT / "docs" / "roles" / ("%s.md" % role.name)] = render_page(role, spec, opts, table)
        summaries[role.name] = text(spec.get("short_description", ""))
    targets[ROOT / "docs" / "roles" / "README.md"] = render_index(summaries)
    for path, wanted in targets.items():
        current = path.read_text() if path.exists() else None
        if current == wanted:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(wanted)
    # A page whose role is gone.
    for path in sorted((ROOT / "docs" / "roles").glob("*.md")):
        if path not in targets:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.unlink()
    if stale and args.check:
        print("generated files differ from meta/argument_specs.yml (run tools/gen-role-docs.py):", file=sys.stderr)
        for path in stale:
            print("  %s" % path, file=sys.stderr)
        return 1
    for path in stale:
        print("wrote %s" % path if (ROOT / path).exists() else "removed %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
