# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``ansible_collections.bastion.hardening`` importable for plain pytest.

``ansible-test units`` runs the tests from a copy of the collection at
``.../ansible_collections/bastion/hardening`` and installs Ansible's collection loader:
then the import already works and nothing is done here. Run from a plain checkout
(``pytest tests/unit`` in the repo root), the checkout is put on ``sys.path`` once per
session through a temporary ``ansible_collections/bastion/hardening`` symlink.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

COLLECTION_ROOT = Path(__file__).resolve().parents[2]
NAMESPACE, NAME = "bastion", "hardening"


def _importable() -> bool:
    try:
        return importlib.util.find_spec("ansible_collections.%s.%s" % (NAMESPACE, NAME)) is not None
    except ImportError:
        return False


def _make_importable() -> None:
    if _importable():
        return
    root = COLLECTION_ROOT
    if (root.name, root.parent.name, root.parent.parent.name) == (NAME, NAMESPACE, "ansible_collections"):
        sys.path.insert(0, str(root.parents[2]))
    else:
        top = Path(tempfile.mkdtemp(prefix="bastion-hardening-units-"))
        atexit.register(shutil.rmtree, str(top), True)
        link = top / "ansible_collections" / NAMESPACE / NAME
        link.parent.mkdir(parents=True)
        link.symlink_to(root, target_is_directory=True)
        sys.path.insert(0, str(top))
    importlib.invalidate_caches()


_make_importable()


# Shared test helpers (module_harness, audit_helpers) are plain modules next to the tests that
# use them. pytest run by hand puts those folders on sys.path; ansible-test units does not, so
# do it here, once, for both.
for _helpers in ("plugins/modules", "plugins/module_utils/audit"):
    _path = os.path.join(os.path.dirname(os.path.abspath(__file__)), _helpers)
    if _path not in sys.path:
        sys.path.insert(0, _path)
