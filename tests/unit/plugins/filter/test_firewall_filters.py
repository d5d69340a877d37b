# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the firewall filters: thin wrappers that refuse a bad model."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.bastion.hardening.plugins.filter.firewall import (
    FilterModule,
    firewall_iptables,
    firewall_nft,
    firewall_problems,
)

MODEL = {
    "policy": "deny",
    "management_networks": ["10.0.0.0/8"],
    "ssh_ports": [2222],
    "rules": [],
    "outside_interfaces": [],
    "internal_networks": [],
    "masquerade": [],
    "log_rate": "5/minute",
}


def test_filters_registered():
    assert set(FilterModule().filters()) == {"firewall_problems", "firewall_nft", "firewall_iptables"}


def test_good_model_renders():
    assert firewall_problems(MODEL) == []
    assert 'ip saddr 10.0.0.0/8 tcp dport 2222 counter accept comment "management ssh"' in firewall_nft(MODEL)
    assert "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 2222" in firewall_iptables(MODEL, 4)
    assert "2222" not in firewall_iptables(MODEL, 6)


def test_bad_model_refused_by_the_renderers():
    bad = dict(MODEL, rules=[{"ports": [70000]}])
    assert firewall_problems(bad) == ["firewall_rules[0].ports: ports 1-65535 or ranges low:high, got [70000]"]
    with pytest.raises(AnsibleFilterError, match=r"firewall_nft: bad model: firewall_rules\[0\].ports"):
        firewall_nft(bad)
    with pytest.raises(AnsibleFilterError, match="firewall_iptables: bad model"):
        firewall_iptables(bad)
    with pytest.raises(AnsibleFilterError, match="version 4 or 6"):
        firewall_iptables(MODEL, 5)
    with pytest.raises(AnsibleFilterError, match="must be a mapping"):
        firewall_problems(["not", "a", "model"])
