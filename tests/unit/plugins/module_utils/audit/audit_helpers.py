# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared helpers of the audit engine tests: fixture paths, a fake command runner."""

from __future__ import annotations

import io
from pathlib import Path

from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import CommandResult, Context

FIXTURES = Path(__file__).parents[1] / "fixtures"
AUDIT = FIXTURES / "audit"


class FakeRunner(object):
    """Answers commands from a dict {tuple(argv): CommandResult}; records what was run."""

    def __init__(self, answers=None):
        self.answers = dict((tuple(k), v) for k, v in (answers or {}).items())
        self.calls = []

    def __call__(self, argv):
        self.calls.append(list(argv))
        return self.answers.get(tuple(argv), CommandResult(127, "", "%s: not found" % argv[0]))


def make_ctx(options=None, packages=None, proc="/nonexistent-proc", answers=None, **cache):
    """A Context on fixtures: no real /proc, dpkg database given as ``packages`` (None: no dpkg)."""
    ctx = Context(options, run=FakeRunner(answers), proc=proc, now=2_000_000_000.0)
    ctx.cache["packages"] = packages
    ctx.cache.update(cache)
    return ctx


def sock(proto, address, port, pid=None, process=None):
    return {
        "proto": proto,
        "address": address,
        "port": port,
        "wildcard": address in ("0.0.0.0", "::"),
        "pid": pid,
        "process": process,
    }


class ScriptedConn(object):
    """A socket stand-in for the SMTP probes: replies from a script, then end of file; records
    what the client sent (one stripped line per sendall)."""

    def __init__(self, replies):
        self.replies = io.BytesIO("".join(r + "\r\n" for r in replies).encode())
        self.sent = []

    def makefile(self, mode):
        return self.replies

    def sendall(self, data):
        self.sent.append(data.decode().strip())

    def close(self):
        pass
