"""dns role on BIND (Debian 11, 12, 13): named.conf.options, named-checkconf, the sockets, the
version, the user, and what a trusted and an untrusted client on the --internal test network
get: a query for the local zone, recursion, a zone transfer.

Every test fails on the unhardened soft target (prepare proves it): stock BIND listens on every
address, answers and recurses for localnets (the untrusted client is on one), transfers the zone
to anyone, shows its version and, as prepare leaves it, runs as root."""

import re
import sys
from pathlib import Path

import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "shared"))

from audit_harness import assert_fail_then_pass  # noqa: E402

testinfra_hosts = ["targets"]

TRUSTED = "docker://bastion-dns-trusted"
UNTRUSTED = "docker://bastion-dns-untrusted"
TRUSTED_ADDRESS = "172.30.53.100"


def internal_addresses(host):
    return host.ansible.get_variables()["dns_internal_addresses"]


def internal_address(host):
    return internal_addresses(host)[-1]


def dig(client, *args):
    return testinfra.get_host(client).run("dig +time=3 +tries=2 %s" % " ".join(args)).stdout


def status(output):
    match = re.search(r"status: ([A-Z]+)", output)
    assert match, "no status in %r" % output
    return match.group(1)


def statements(text):
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("//")]


def test_named_conf_options(host):
    options = host.file("/etc/bind/named.conf.options")
    assert (options.user, options.group, options.mode) == ("root", "bind", 0o644)
    lines = statements(options.content_string)
    acl = lines[lines.index('acl "internal" {') + 1 : lines.index("};")]
    assert acl == ["172.30.53.100/32;"] + ["%s;" % a for a in internal_addresses(host)]
    for line in (
        'version "none";',
        "listen-on { 127.0.0.1; %s; };" % internal_address(host),
        "listen-on-v6 { ::1; };",
        "allow-query { internal; };",
        "allow-recursion { internal; };",
        "allow-query-cache { internal; };",
        "allow-transfer { none; };",
    ):
        assert line in lines, "%r not in named.conf.options" % line


def test_named_conf_local_zone_transfers_to_the_secondary_only(host):
    lines = statements(host.file("/etc/bind/named.conf.local").content_string)
    zone = lines[lines.index('zone "example.test" {') :]
    assert zone[: zone.index("};") + 1] == [
        'zone "example.test" {',
        "type master;",
        'file "/etc/bind/db.example.test";',
        "allow-transfer { %s; };" % TRUSTED_ADDRESS,
        "};",
    ]


def test_backups_of_the_stock_files_kept(host):
    listing = host.check_output("ls /etc/bind /etc/default")
    for name in ("named.conf.options", "named.conf.local", "named"):
        assert re.search(r"^%s\..*~$" % re.escape(name), listing, re.M), "no backup of %s" % name


def test_named_checkconf_clean_with_the_hardened_options(host):
    out = host.run("named-checkconf -p /etc/bind/named.conf")
    assert out.rc == 0, out.stderr
    assert re.search(r'^\s*version "none";$', out.stdout, re.M)
    assert re.search(r'allow-transfer\s*\{\s*"?none"?;\s*\};', out.stdout)


def test_listens_on_internal_addresses_only(host):
    allowed = set(internal_addresses(host))
    out = host.check_output("ss -H -ltnu sport = :53")
    local = {re.sub(r"^\[?(.*?)\]?(%\S+)?:53$", r"\1", line.split()[4]) for line in out.splitlines()}
    assert local, out
    assert local <= allowed, "named listens on %s" % sorted(local - allowed)
    assert {"127.0.0.1", internal_address(host)} <= local, out
    for proto in ("tcp", "udp"):
        assert not host.socket("%s://0.0.0.0:53" % proto).is_listening
        assert not host.socket("%s://:::53" % proto).is_listening


def test_version_hidden(host):
    out = host.check_output("dig +time=3 +tries=2 @127.0.0.1 +short version.bind chaos txt")
    assert out == '"none"', out


def test_named_runs_as_bind(host):
    assert host.check_output("ps -o user= -C named").split() == ["bind"]
    assert re.search(r'^OPTIONS="-u bind"$', host.file("/etc/default/named").content_string, re.M)


def test_zone_answered_to_the_trusted_client_refused_to_the_untrusted(host):
    address = internal_address(host)
    trusted = dig(TRUSTED, "@%s" % address, "www.example.test", "A")
    assert status(trusted) == "NOERROR" and re.search(
        r"^www\.example\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.80$", trusted, re.M
    )
    assert status(dig(UNTRUSTED, "@%s" % address, "www.example.test", "A")) == "REFUSED"


def test_recursion_offered_to_the_trusted_client_refused_to_the_untrusted(host):
    address = internal_address(host)
    assert re.search(r"flags:[a-z ]* ra[ ;]", dig(TRUSTED, "@%s" % address, "example.test", "SOA"))
    assert status(dig(UNTRUSTED, "@%s" % address, "+recurse", "example.com", "A")) == "REFUSED"


def test_zone_transfer_to_the_secondary_only(host):
    address = internal_address(host)
    assert re.search(
        r"^www\.example\.test\.\s+300\s+IN\s+A", dig(TRUSTED, "@%s" % address, "example.test", "AXFR"), re.M
    )
    refused = dig(UNTRUSTED, "@%s" % address, "example.test", "AXFR")
    assert "Transfer failed" in refused and not re.search(r"^www\.example\.test\.", refused, re.M), refused


def test_audit_checks_fail_before_and_pass_after(host):
    assert_fail_then_pass(host, ["DNS-01", "DNS-02", "DNS-03", "DNS-04", "DNS-05", "DNS-06"])
