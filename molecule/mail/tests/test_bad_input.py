"""Malformed input: the role must stop before any change and name the variable. One
ansible-playbook run per target, over aliases of that target (one malformed value each),
through the docker connection.

The hardened files must come through unchanged: on the unhardened soft target, where the
files are not the role's yet, the first assertion fails."""

import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIO.parent / "shared"))

from bad_input_harness import check_role  # noqa: E402

testinfra_hosts = ["targets"]

FILES = {
    "postfix": "/etc/postfix/main.cf",
    "exim4": "/etc/exim4/update-exim4.conf.conf /etc/exim4/exim4.conf.template /etc/exim4/exim4.conf.localmacros",
    "sendmail": "/etc/mail/sendmail.mc /etc/mail/sendmail.cf /etc/mail/access",
}
DIRS = {"postfix": "/etc/postfix", "exim4": "/etc/exim4", "sendmail": "/etc/mail"}
HARDENED = {
    "postfix": "grep -qxF 'disable_vrfy_command = yes' /etc/postfix/main.cf",
    "exim4": "grep -qF 'bastion.hardening mail role' /etc/exim4/exim4.conf.localmacros",
    "sendmail": "grep -qF 'bastion.hardening mail role' /etc/mail/sendmail.mc",
}

# alias: (host vars, text the failure message must contain)
CASES = {
    "prefix-too-long": ({"mail_trusted_networks": ["10.0.0.0/33"]}, "mail_trusted_networks"),
    "not-an-address": ({"bastion_internal_addresses": ["127.0.0.1", "300.1.1.1"]}, "bastion_internal_addresses"),
    "host-mask": ({"bastion_trusted_networks": ["10.0.0.0/0.0.0.255"]}, "bastion_trusted_networks"),
    "newline-in-masquerade-domain": (
        {"mail_masquerade_as": "example.test')dnl\nMAILER(`prog')dnl"},
        "mail_masquerade_as",
    ),
    "newline-in-admin-address": ({"bastion_admin_email": "admin@mail.example.test\nroot"}, "bastion_admin_email"),
    "shell-in-admin-address": ({"mail_admin_email": "admin; touch /tmp/pwned"}, "mail_admin_email"),
    "semicolon-in-connect-network": ({"mail_connect_networks": ["10.0.0.0/8 ; 0.0.0.0/0"]}, "mail_connect_networks"),
    "quote-in-smail-path": ({"mail_smail_config": "/etc/smail/config'; x"}, "mail_smail_config"),
    "scoped-address": ({"mail_internal_addresses": ["fe80::1%eth0"]}, "mail_internal_addresses"),
    "no-internal-address": ({"mail_internal_addresses": []}, "mail_internal_addresses"),
    "address-not-on-host": ({"mail_internal_addresses": ["192.0.2.25"]}, "mail_internal_addresses"),
    "unknown-mta": ({"mail_mta": "qmail"}, "mail_mta"),
    "wrong-type": ({"mail_listen_enabled": "sometimes"}, "mail_listen_enabled"),
    "networks-not-a-list": ({"mail_trusted_networks": {"lan": "10.0.0.0/8"}}, "mail_trusted_networks"),
}
# sendmail's access map matches whole octets only.
SENDMAIL_CASES = {
    "sendmail-prefix-not-on-octet": ({"mail_trusted_networks": ["10.0.0.0/12"]}, "sendmail's access map"),
}


def mta(host):
    return next(g for g in ("postfix", "exim4", "sendmail") if g in host.ansible.get_variables()["group_names"])


def fingerprint(host, name):
    # Content of the files and the entries of their directories (a new backup would show).
    return host.check_output("sha256sum %s; ls -a %s /etc/aliases*" % (FILES[name], DIRS[name]))


def test_malformed_input_fails_before_any_change(host, tmp_path):
    name = mta(host)
    cases = dict(CASES, **(SENDMAIL_CASES if name == "sendmail" else {}))
    check_role(host, tmp_path, SCENARIO, cases, "MAIL-", lambda h: fingerprint(h, name), HARDENED[name])
