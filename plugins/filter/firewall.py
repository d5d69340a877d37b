# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the firewall role: check its data model and render it for nftables and
iptables (plugins/module_utils/firewall.py). Documentation of each filter:
``plugins/filter/<name>.yml``."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.bastion.hardening.plugins.module_utils import firewall


def _plain(value):
    """Ansible's lazy containers and tagged strings as plain Python data."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    return value


def firewall_problems(model):
    """The problems of a firewall model: a list of messages naming the variable, [] when good."""
    if not isinstance(model, dict):
        raise AnsibleFilterError("firewall_problems: the model must be a mapping, got %r" % (model,))
    return firewall.problems(_plain(model))


def _checked(model, name):
    model = _plain(model)
    bad = firewall.problems(model) if isinstance(model, dict) else ["not a mapping"]
    if bad:
        raise AnsibleFilterError("%s: bad model: %s" % (name, "; ".join(bad)))
    return model


def firewall_nft(model):
    """The nft -f file of a firewall model."""
    return firewall.render_nft(_checked(model, "firewall_nft"))


def firewall_iptables(model, version=4):
    """The iptables-restore (version 4) or ip6tables-restore (6) file of a firewall model."""
    if version not in (4, 6):
        raise AnsibleFilterError("firewall_iptables: version 4 or 6, got %r" % (version,))
    return firewall.render_iptables(_checked(model, "firewall_iptables"), version)


class FilterModule:
    """Firewall model filters."""

    def filters(self):
        return {
            "firewall_problems": firewall_problems,
            "firewall_nft": firewall_nft,
            "firewall_iptables": firewall_iptables,
        }
