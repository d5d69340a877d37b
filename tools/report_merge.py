#!/usr/bin/env python
"""Merge compliance.json files of several runs into one report set (newest result per host wins).

tools/report_merge.py merge -o reports/merged run1/compliance.json run2/compliance.json
tools/report_merge.py merge --fail-on high -f json,html slice*/compliance.json

Collection plugins cannot be run with ``python -m``, so this loads the collection's
plugins/module_utils/report.py by path; from an installed collection, run that file
directly with the same arguments.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPORT_PY = Path(__file__).resolve().parents[1] / "plugins" / "module_utils" / "report.py"


def load_report_module():
    spec = importlib.util.spec_from_file_location("bastion_hardening_report", REPORT_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    sys.exit(load_report_module().main(sys.argv[1:]))
