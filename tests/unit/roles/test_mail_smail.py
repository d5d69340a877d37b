# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The mail role's smail settings (roles/mail/templates/smail_settings.j2).

smail is not packaged on any Debian release the collection tests, so the lines it gets are
checked here: rendered with Ansible's own filters and tests from the role's vars/main.yml, the
way the role's blockinfile task renders them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible.plugins.filter.core import FilterModule
from ansible.plugins.test.core import TestModule as AnsibleTests
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.nativetypes import NativeEnvironment

ROLE = Path(__file__).resolve().parents[3] / "roles" / "mail"
VARS = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())


def environment(cls):
    env = cls(loader=FileSystemLoader(str(ROLE / "templates")), undefined=StrictUndefined, trim_blocks=True)
    env.filters.update(FilterModule().filters())
    env.tests.update(AnsibleTests().tests())
    return env


def render(internal, trusted, listen=True, relay=True):
    context = {
        "__mail_mask_bits": VARS["__mail_mask_bits"],
        "__mail_trusted_networks": trusted,
        "__mail_listen_addresses": internal,
        "mail_listen_enabled": listen,
        "mail_relay_enabled": relay,
    }
    # vars/main.yml turns address/netmask into address/prefix; resolved to a list, as Ansible does.
    context["__mail_trusted_cidr"] = (
        environment(NativeEnvironment).from_string(VARS["__mail_trusted_cidr"]).render(context)
    )
    assert isinstance(context["__mail_trusted_cidr"], list)
    # Ansible's template lookup renders with trim_blocks, as here.
    return environment(Environment).get_template("smail_settings.j2").render(context).splitlines()


def test_default_policy_loopback_only():
    assert render(["127.0.0.1", "::1"], ["127.0.0.0/8", "::1/128"]) == [
        "listen_name=127.0.0.1",
        "smtp_remote_allow=127.0.0.0/8",
    ]


def test_internal_address_preferred_and_netmask_converted():
    lines = render(
        ["127.0.0.1", "::1", "172.30.25.11"],
        ["127.0.0.0/8", "::1/128", "172.30.25.100/255.255.255.255", "10.1.0.0/255.255.0.0"],
    )
    assert lines == [
        "listen_name=172.30.25.11",
        "smtp_remote_allow=127.0.0.0/8:172.30.25.100/32:10.1.0.0/16",
    ]


def test_ipv6_left_out_of_smtp_remote_allow():
    lines = render(["::1"], ["::1/128", "2001:db8::/32"])
    assert lines == ["listen_name=::1", "smtp_remote_allow="]


@pytest.mark.parametrize(
    "listen, relay, expected",
    [
        (False, True, ["smtp_remote_allow=127.0.0.0/8"]),
        (True, False, ["listen_name=127.0.0.1"]),
        (False, False, []),
    ],
)
def test_toggles(listen, relay, expected):
    assert render(["127.0.0.1"], ["127.0.0.0/8"], listen=listen, relay=relay) == expected
