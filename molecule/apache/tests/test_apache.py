"""apache role on Apache 2.4 (Debian 11, 12, 13): security.conf, the Options lines, the access
rules, the htpasswd file, the sockets, and what a trusted and an untrusted client on the
--internal test network get over HTTP: 403, 401, 200, the Server header, error pages, TRACE and
directory listings.

Every test fails on the unhardened soft target (prepare proves it): stock Apache listens on every
address, serves every path to everyone, lists /files, answers TRACE (prepare switches it on) and
shows its version in the Server header and on its error pages."""

import re
import shlex
import sys
from pathlib import Path

import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "shared"))

from audit_harness import assert_fail_then_pass  # noqa: E402

testinfra_hosts = ["targets"]

TRUSTED = "docker://bastion-web-trusted"
UNTRUSTED = "docker://bastion-web-untrusted"
ALICE = "alice:alice-test-secret"
BOB = "bob:bob: with spaces & symbols"


def internal_address(host):
    return host.ansible.get_variables()["apache_internal_addresses"][-1]


def curl(client, host, path, *args):
    """(status code, headers and body) of one request from CLIENT to HOST's internal address."""
    url = "http://%s%s" % (internal_address(host), path)
    cmd = "curl -s -i --max-time 5 -w '\\nSTATUS %%{http_code}' %s %s" % (" ".join(shlex.quote(a) for a in args), url)
    out = testinfra.get_host(client).run(cmd).stdout
    match = re.search(r"\nSTATUS (\d{3})$", out)
    assert match, "no status from %s: %r" % (cmd, out)
    return int(match.group(1)), out[: match.start()]


def code(client, host, path, *args):
    return curl(client, host, path, *args)[0]


def test_security_conf(host):
    text = host.file("/etc/apache2/conf-available/security.conf").content_string
    active = [line for line in text.splitlines() if re.match(r"\s*(ServerTokens|ServerSignature|TraceEnable)\s", line)]
    assert active == ["ServerTokens Prod", "ServerSignature Off", "TraceEnable Off"]
    assert host.file("/etc/apache2/conf-enabled/security.conf").is_symlink


def test_configtest_clean(host):
    out = host.run("apache2ctl configtest")
    assert out.rc == 0 and "Syntax OK" in out.stderr, out.stderr


def test_no_options_enables_indexes(host):
    # apache2.conf's /var/www section and the site's +Indexes section of prepare.
    out = host.check_output(
        "grep -hiE '^[[:space:]]*Options' /etc/apache2/apache2.conf /etc/apache2/conf-enabled/*.conf "
        "/etc/apache2/sites-enabled/*.conf"
    )
    options = [line.split(None, 1)[1].split() for line in out.splitlines()]
    assert options and not [o for o in options if {"indexes", "+indexes", "all"} & {w.lower() for w in o}], out
    assert ["-Indexes"] in options, out
    assert host.file("/etc/apache2/sites-enabled/000-default.conf").is_symlink, "the site link was replaced"


def test_access_conf_enabled_with_the_rules(host):
    conf = host.file("/etc/apache2/conf-available/bastion-access.conf")
    assert (conf.user, conf.group, conf.mode) == ("root", "root", 0o644)
    assert host.file("/etc/apache2/conf-enabled/bastion-access.conf").linked_to == conf.path
    sections = re.findall(r'^<Location "([^"]+)">$', conf.content_string, re.M)
    assert sections == ["/internal", "/private", "/either", "/both"]
    assert "<RequireAny>" in conf.content_string and "Require ip 172.30.80.100/32" in conf.content_string


def test_htpasswd_file_bcrypt_and_private(host):
    f = host.file("/etc/apache2/bastion.htpasswd")
    assert (f.user, f.group, f.mode) == ("root", "www-data", 0o640)
    entries = dict(line.split(":", 1) for line in f.content_string.splitlines())
    assert sorted(entries) == ["alice", "bob"]
    assert all(re.match(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$", h) for h in entries.values()), entries
    # Apache's own library (htpasswd -v) verifies the hashes.
    assert host.run("htpasswd -vb /etc/apache2/bastion.htpasswd alice alice-test-secret").rc == 0
    assert host.run("htpasswd -vb /etc/apache2/bastion.htpasswd alice wrong").rc != 0


def test_listens_on_internal_addresses_only(host):
    out = host.check_output("ss -H -ltn sport = :80")
    local = {line.split()[3].rsplit(":", 1)[0].strip("[]") for line in out.splitlines()}
    assert local == {"127.0.0.1", internal_address(host)}, out


def test_backups_of_the_changed_files_kept(host):
    for directory, name in (
        ("/etc/apache2/conf-available", "security.conf"),
        ("/etc/apache2", "apache2.conf"),
        ("/etc/apache2/sites-available", "000-default.conf"),
        ("/etc/apache2", "ports.conf"),
    ):
        listing = host.check_output("ls %s" % directory)
        assert re.search(r"^%s\..*~$" % re.escape(name), listing, re.M), "no backup of %s" % name


def test_internal_path_trusted_network_only(host):
    assert code(TRUSTED, host, "/internal/") == 200
    assert code(UNTRUSTED, host, "/internal/") == 403
    # A password does not help where no user is admitted.
    assert code(UNTRUSTED, host, "/internal/", "-u", ALICE) == 403


def test_private_path_needs_the_password(host):
    for client in (TRUSTED, UNTRUSTED):
        status, out = curl(client, host, "/private/")
        assert status == 401 and re.search(r'^WWW-Authenticate: Basic realm="Private area"', out, re.M | re.I), out
        assert code(client, host, "/private/", "-u", "alice:wrong") == 401
        assert code(client, host, "/private/", "-u", BOB) == 401
        status, out = curl(client, host, "/private/", "-u", ALICE)
        assert status == 200 and "private-content" in out


def test_either_path_trusted_network_or_password(host):
    status, out = curl(TRUSTED, host, "/either/")
    assert status == 200 and "either-content" in out
    assert code(UNTRUSTED, host, "/either/") == 401
    assert code(UNTRUSTED, host, "/either/", "-u", BOB) == 200
    assert code(UNTRUSTED, host, "/either/", "-u", ALICE) == 200


def test_both_path_trusted_network_and_password(host):
    assert code(TRUSTED, host, "/both/") == 401
    assert code(TRUSTED, host, "/both/", "-u", BOB) == 200
    assert code(TRUSTED, host, "/both/", "-u", ALICE) == 401
    assert code(UNTRUSTED, host, "/both/", "-u", BOB) in (401, 403)


def test_no_version_in_headers_or_error_pages(host):
    for path, expected in (("/", 200), ("/no-such-page", 404), ("/internal/", 403), ("/private/", 401)):
        status, out = curl(UNTRUSTED, host, path)
        assert status == expected, (path, status)
        server = re.findall(r"^Server: (.*?)\r?$", out, re.M | re.I)
        assert server == ["Apache"], (path, status, server)
        if status != 200:
            # The error page has no <address>Apache/2.4.x (Debian) Server at ... Port 80</address>.
            assert not re.search(r"Apache/\d|\(Debian\)|Server at|<address>", out), (path, out)


def test_trace_refused(host):
    assert code(UNTRUSTED, host, "/", "-X", "TRACE") == 405
    assert code(TRUSTED, host, "/", "-X", "TRACE") == 405


def test_directory_listing_gone(host):
    status, out = curl(TRUSTED, host, "/files/")
    assert status in (403, 404) and "Index of" not in out and "report-a.txt" not in out, out
    # The files themselves are still served.
    assert code(TRUSTED, host, "/files/report-a.txt") == 200


def test_audit_web_checks_fail_before_and_pass_after(host):
    assert_fail_then_pass(host, ["WEB-01", "WEB-02", "WEB-03", "WEB-04"])
