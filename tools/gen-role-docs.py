#!/usr/bin/env python
"""Render each role's defaults/main.yml and README variable table from meta/argument_specs.yml.

tools/gen-role-docs.py            rewrite the generated files
tools/gen-role-docs.py --check    exit 1 and name the files that differ (CI)
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent


class IndentedDumper(yaml.SafeDumper):
    """Indent block sequences under their key, as yamllint's default indentation rule wants."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


BEGIN = "<!-- BEGIN GENERATED VARIABLES: tools/gen-role-docs.py -->"
END = "<!-- END GENERATED VARIABLES -->"


def options(role: pathlib.Path) -> dict:
    spec = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())
    return spec["argument_specs"]["main"].get("options", {})


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
        desc = opt.get("description", "")
        if isinstance(desc, list):
            desc = " ".join(desc)
        rows.append("| `%s` | %s | %s | %s |" % (name, kind, cell(default), cell(desc)))
    return "\n".join(rows) + "\n"


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
    for role in sorted((ROOT / "roles").iterdir()):
        if not (role / "meta" / "argument_specs.yml").is_file():
            continue
        opts = options(role)
        readme = role / "README.md"
        targets = {
            role / "defaults" / "main.yml": render_defaults(role, opts),
            readme: render_readme(readme.read_text() if readme.exists() else "", render_table(opts), readme),
        }
        for path, wanted in targets.items():
            current = path.read_text() if path.exists() else None
            if current == wanted:
                continue
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(wanted)
    if stale and args.check:
        print("generated files differ from meta/argument_specs.yml (run tools/gen-role-docs.py):", file=sys.stderr)
        for path in stale:
            print("  %s" % path, file=sys.stderr)
        return 1
    for path in stale:
        print("wrote %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
