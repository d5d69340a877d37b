# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""BIND (DNS): a small brace-aware named.conf parser and the options it audits."""

from __future__ import annotations

import os
import re
import shlex

from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import (
    classify_client,
    failed,
    not_applicable,
    passed,
    process_uid,
    read_optional,
    read_text,
    running_processes,
    scope_result,
    warned,
)

NAMED_CONFS = ("/etc/bind/named.conf", "/etc/named.conf")
MAX_INCLUDE_DEPTH = 10


class NamedConfError(ValueError):
    pass


class Statement(object):
    """``words... [{ children }] ;`` with the file and line it starts on."""

    def __init__(self, words, children, path, line):
        self.words = words
        self.children = children
        self.path = path
        self.line = line

    @property
    def name(self):
        return self.words[0] if self.words else ""

    def where(self):
        return "%s line %d" % (self.path, self.line)


def tokenize(text, path):
    """Tokens (text, line, quoted) of named.conf: words, strings, '{', '}', ';'."""
    tokens = []
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif c == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise NamedConfError("cannot parse %s line %d: unterminated /* comment" % (path, line))
            line += text.count("\n", i, end)
            i = end + 2
        elif c == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise NamedConfError("cannot parse %s line %d: unterminated string" % (path, line))
            tokens.append((text[i + 1 : end], line, True))
            line += text.count("\n", i, end)
            i = end + 1
        elif c in "{};":
            tokens.append((c, line, False))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '{};"' and not text.startswith("//", j):
                j += 1
            tokens.append((text[i:j], line, False))
            i = j
    return tokens


def parse_named(text, path, read=read_text, depth=0):
    """Statements of a named.conf text; ``include "file";`` is replaced by that file's statements."""
    tokens = tokenize(text, path)
    pos = [0]

    def block(closing):
        statements = []
        words, start = [], None
        while pos[0] < len(tokens):
            tok, line, quoted = tokens[pos[0]]
            pos[0] += 1
            if start is None:
                start = line
            if tok == "}" and not quoted:
                if not closing:
                    raise NamedConfError("cannot parse %s line %d: '}' without '{'" % (path, line))
                if words:
                    raise NamedConfError("cannot parse %s line %d: missing ';' before '}'" % (path, line))
                return statements
            if tok == ";" and not quoted:
                if words:
                    statements.append(Statement(words, None, path, start))
                words, start = [], None
            elif tok == "{" and not quoted:
                children = block(True)
                if pos[0] >= len(tokens) or tokens[pos[0]][0] != ";":
                    raise NamedConfError("cannot parse %s line %d: missing ';' after '}'" % (path, start))
                pos[0] += 1
                statements.append(Statement(words, children, path, start))
                words, start = [], None
            else:
                words.append(tok)
        if closing:
            raise NamedConfError("cannot parse %s: '{' not closed before the end of the file" % path)
        if words:
            raise NamedConfError("cannot parse %s line %d: missing ';' at the end of the file" % (path, start))
        return statements

    statements = []
    for statement in block(False):
        if statement.name == "include" and len(statement.words) == 2 and statement.children is None:
            if depth >= MAX_INCLUDE_DEPTH:
                raise NamedConfError("%s: includes nested deeper than %d" % (statement.where(), MAX_INCLUDE_DEPTH))
            included = statement.words[1]
            if not os.path.isabs(included):
                included = os.path.join(os.path.dirname(path), included)
            statements.extend(parse_named(read(included), included, read, depth + 1))
        else:
            statements.append(statement)
    return statements


def find(statements, name):
    return [s for s in statements if s.name == name]


def options_of(statements):
    """The children of the (last) options block, or []."""
    blocks = find(statements, "options")
    return blocks[-1].children or [] if blocks else []


def option(statements, name):
    """The last statement ``name`` in the options block, or None."""
    found = find(options_of(statements), name)
    return found[-1] if found else None


SCOPE_ORDER = ("none", "trusted", "unknown", "untrusted", "all")


def match_list_scope(elements, acls, trusted, depth=0, localnets=None):
    """How far an address match list reaches: all, untrusted, unknown, trusted or none.

    ``localnets`` are the networks the host is attached to: the keyword reaches as far as the
    widest of them (None: not known, counted as trusted)."""
    order = SCOPE_ORDER
    worst = "none"
    for element in elements:
        words = element.words
        if element.children is not None:
            scope = match_list_scope(element.children, acls, trusted, depth + 1, localnets)
        elif not words or words[0].startswith("!"):
            continue  # a negation only narrows the list
        elif words[0] == "key":
            scope = "trusted"
        elif words[0] in ("any",):
            scope = "all"
        elif words[0] in ("none",):
            scope = "none"
        elif words[0] == "localhost":
            scope = "trusted"
        elif words[0] == "localnets":
            scopes = [classify_client(str(net), trusted) for net in localnets or []]
            scope = max(scopes or ["trusted"], key=order.index)
        elif words[0] in acls and depth < MAX_INCLUDE_DEPTH:
            scope = match_list_scope(acls[words[0]], acls, trusted, depth + 1, localnets)
        else:
            scope = classify_client(words[0], trusted)
        if order.index(scope) > order.index(worst):
            worst = scope
    return worst


def acls_of(statements):
    return dict((s.words[1], s.children or []) for s in find(statements, "acl") if len(s.words) == 2)


def describe(statement):
    if statement.children is None:
        return " ".join(statement.words)
    return "%s { %s }" % (" ".join(statement.words), " ".join(describe(c) + ";" for c in statement.children))


def clients_trusted(ctx):
    """Clients BIND may serve: the trusted networks and the host's own (internal and loopback) addresses."""
    return list(ctx.trusted) + list(ctx.internal_networks)


def load_named(ctx, paths=NAMED_CONFS):
    def load():
        for path in paths:
            if os.path.exists(path):
                return path, parse_named(read_text(path), path)
        return None, None

    return ctx.cached(("named", tuple(paths)), load)


def _list_check(ctx, paths, name, default_scope, default_text):
    path, statements = load_named(ctx, paths)
    if path is None:
        return None, ["no named.conf (%s)" % ", ".join(paths)]
    stmt = option(statements, name)
    if stmt is None:
        if default_scope == "localnets":  # BIND's default "localnets; localhost;"
            here = " ".join(str(net) for net in ctx.local_networks) or "none"
            scopes = [classify_client(str(net), clients_trusted(ctx)) for net in ctx.local_networks] or ["trusted"]
            return max(scopes, key=SCOPE_ORDER.index), [
                "%s: no %s in options (default: %s; localnets here: %s)" % (path, name, default_text, here)
            ]
        return default_scope, ["%s: no %s in options (default: %s)" % (path, name, default_text)]
    scope = match_list_scope(stmt.children or [], acls_of(statements), clients_trusted(ctx), 0, ctx.local_networks)
    return scope, ["%s: %s" % (stmt.where(), describe(stmt))]


def dns_01_transfer(ctx, paths=NAMED_CONFS):
    """DNS-01: zone transfers are restricted (allow-transfer in options and in each zone)."""
    scope, evidence = _list_check(ctx, paths, "allow-transfer", "all", "any")
    if scope is None:
        return not_applicable(*evidence)
    statements = load_named(ctx, paths)[1]
    acls = acls_of(statements)
    for zone in find(statements, "zone"):
        for stmt in find(zone.children or [], "allow-transfer"):
            zone_scope = match_list_scope(stmt.children or [], acls, clients_trusted(ctx), 0, ctx.local_networks)
            evidence.append(
                "zone %s %s: %s" % (zone.words[1] if len(zone.words) > 1 else "?", stmt.where(), describe(stmt))
            )
            if zone_scope in ("all", "untrusted"):
                scope = zone_scope
    return scope_result(scope, evidence)


def dns_02_recursion(ctx, paths=NAMED_CONFS):
    """DNS-02: recursion is off or limited to trusted clients."""
    path, statements = load_named(ctx, paths)
    if path is None:
        return not_applicable("no named.conf (%s)" % ", ".join(paths))
    recursion = option(statements, "recursion")
    if recursion is not None and recursion.words[1:2] == ["no"]:
        return passed("%s: recursion no" % recursion.where())
    scope, evidence = _list_check(ctx, paths, "allow-recursion", "localnets", "localnets; localhost")
    return scope_result(scope, evidence)


def dns_03_query(ctx, paths=NAMED_CONFS):
    """DNS-03: queries are limited to trusted clients (warn: an authoritative server needs any)."""
    scope, evidence = _list_check(ctx, paths, "allow-query", "all", "any")
    if scope is None:
        return not_applicable(*evidence)
    if scope in ("all", "untrusted", "unknown"):
        return warned(*evidence)
    return passed(*evidence)


def dns_04_listen(ctx, paths=NAMED_CONFS):
    """DNS-04: named listens on internal addresses only, unless udp/53 or tcp/53 is allowed."""
    path, statements = load_named(ctx, paths)
    if path is None:
        return not_applicable("no named.conf (%s)" % ", ".join(paths))
    allowed = ("udp", 53) in ctx.allowed or ("tcp", 53) in ctx.allowed
    evidence, bad = [], False
    for name, default in (("listen-on", "any"), ("listen-on-v6", "any")):
        stmts = find(options_of(statements), name)
        if not stmts:
            evidence.append("%s: no %s (default: %s)" % (path, name, default))
            bad = True
        for stmt in stmts:
            evidence.append("%s: %s" % (stmt.where(), describe(stmt)))
            for element in stmt.children or []:
                word = element.words[0] if element.words else ""
                if word.startswith("!") or word in ("none", "localhost"):
                    continue
                if word in ("any", "localnets") or classify_client(word, ctx.internal_networks) != "trusted":
                    bad = True
    if bad and allowed:
        return passed(*(evidence + ["port 53 is in allowed_services"]))
    if bad:
        return failed(*evidence)
    return passed(*evidence)


def dns_05_version(ctx, paths=NAMED_CONFS):
    """DNS-05: the version string is hidden (version option set)."""
    path, statements = load_named(ctx, paths)
    if path is None:
        return not_applicable("no named.conf (%s)" % ", ".join(paths))
    stmt = option(statements, "version")
    if stmt is None:
        return failed("%s: no version option: named answers version.bind with its real version" % path)
    return passed("%s: %s" % (stmt.where(), describe(stmt)))


NAMED_DEFAULTS = ("/etc/default/named", "/etc/default/bind9")


def dns_06_user(ctx, defaults=NAMED_DEFAULTS, paths=NAMED_CONFS):
    """DNS-06: named runs as its own user: `-u <user>` in OPTIONS and no named process as root."""
    if not any(os.path.exists(p) for p in paths) and not ctx.installed(["bind9"], ["/usr/sbin/named"]):
        return not_applicable("bind9 is not installed and there is no named.conf (%s)" % ", ".join(paths))
    bad, good = [], []
    for path in defaults:
        text = read_optional(path)
        if text is None:
            continue
        match = re.search(r"^\s*OPTIONS\s*=\s*(.*)$", text, re.M)
        words = shlex.split(match.group(1), comments=True) if match else []
        words = " ".join(words).split()
        if "-u" in words[:-1] and words[words.index("-u") + 1] != "root":
            good.append("%s: OPTIONS has -u %s" % (path, words[words.index("-u") + 1]))
        else:
            bad.append("%s: OPTIONS has no -u <user>: named keeps root" % path)
    for pid, comm in sorted(ctx.cached("processes", running_processes, ctx.proc).items()):
        if comm == "named":
            uid = process_uid(ctx.proc, pid)
            (bad if uid == 0 else good).append("named (pid %d) runs as uid %s" % (pid, uid))
    if bad:
        return failed(*bad)
    if not good:
        return not_applicable("no %s and no named running" % " or ".join(defaults))
    return passed(*good)
