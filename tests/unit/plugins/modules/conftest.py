# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module tests: exit_json and fail_json raise instead of exiting (see module_harness)."""

from __future__ import annotations

import pytest
from ansible.module_utils import basic
from module_harness import ExitJson, FailJson


@pytest.fixture(autouse=True)
def module_exits(monkeypatch):
    """exit_json and fail_json raise, with the result dict as argument."""

    def exit_json(self, **kwargs):
        raise ExitJson(kwargs)

    def fail_json(self, **kwargs):
        raise FailJson(kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
