# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared harness of the module tests: run a module's main() with arguments, catch its result.

``conftest.py`` next to this file makes ``exit_json`` and ``fail_json`` raise ``ExitJson``
and ``FailJson`` with the result dict as argument, for every test here.
"""

from __future__ import annotations

import contextlib
import json

import pytest
from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19

    @contextlib.contextmanager
    def patch_module_args(args=None):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode()
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


def run_module(main, args, check=False, diff=False):
    """Run ``main()`` with ``args``; return the result given to exit_json."""
    args = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
    with patch_module_args(args), pytest.raises(ExitJson) as exc:
        main()
    return exc.value.args[0]


def fail_module(main, args):
    """Run ``main()`` with ``args``; return the result given to fail_json."""
    with patch_module_args(args), pytest.raises(FailJson) as exc:
        main()
    return exc.value.args[0]
