"""A binary changed after rkhunter's baseline: Debian's daily job reports it and mails the admin.

Runs after test_intrusion_detection.py (file order), whose audit checks need the clean scan's
log. The change is planted on every target at once and the daily job limited to rkhunter's
properties tests by a drop-in of the test's own, which disables every other group (DISABLE_TESTS
adds up across files; ENABLE_TESTS cannot narrow Debian's ALL), removed again with the change
right after the job."""

import time

import pytest
import testinfra
from test_intrusion_detection import MAILBOX, PLANTED, TARGETS, mails, run_on_all

testinfra_hosts = ["targets"]

# Every group of rkhunter's tests but properties (attributes, hashes, immutable, scripts).
OTHER_TESTS = "strings shared_libs rootkits additional_rkts malware trojans os_specific network local_host apps"
PLANT = (
    "set -e; grep -c '^Subject: \\[rkhunter\\]' {mailbox} > /var/tmp/planted.mails || true; "
    "cp -p {planted} /var/tmp/planted.orig; printf '\\n#planted\\n' >> {planted}; "
    "printf 'DISABLE_TESTS=%s\\n' > /etc/rkhunter.d/zz-verify.conf; "
    "/etc/cron.daily/rkhunter || true; "
    "cp -p /var/tmp/planted.orig {planted}; rm -f /etc/rkhunter.d/zz-verify.conf /var/tmp/planted.orig"
).format(mailbox=MAILBOX, planted=PLANTED) % OTHER_TESTS


@pytest.fixture(scope="module")
def planted():
    for name in TARGETS:
        # The binary must be in the baseline, or the test proves nothing.
        db = testinfra.get_host("docker://%s" % name).file("/var/lib/rkhunter/db/rkhunter.dat").content_string
        assert PLANTED in db, name
    run_on_all(PLANT, "bastion-verify-planted", 900)


def test_changed_binary_is_reported_and_mailed(host, planted):
    log = host.file("/var/log/rkhunter.log").content_string.split("Info: Start date is")[-1]
    assert "Warning: The file properties have changed" in log, log[-3000:]
    assert "File: %s" % PLANTED in log
    before = int(host.file("/var/tmp/planted.mails").content_string.strip() or 0)
    for _attempt in range(30):
        if mails(host, r"\[rkhunter\]") > before:
            break
        time.sleep(1)
    mailbox = host.file(MAILBOX).content_string
    assert mails(host, r"\[rkhunter\]") == before + 1, mailbox[-2000:]
    report = mailbox.split("Subject: [rkhunter]")[-1]
    assert PLANTED in report and "Warning" in report, report[-2000:]
    # The binary is back as it was (dpkg's md5sums agree again).
    assert PLANTED not in host.run("dpkg --verify coreutils").stdout
