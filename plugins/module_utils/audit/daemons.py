# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Samba (SMB), Apache (WEB), NFS/RPC (RPC) and printing (LPD) configuration."""

from __future__ import annotations

import glob
import os
import re
import shlex

from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import (
    classify_client,
    failed,
    logical_lines,
    not_applicable,
    passed,
    read_optional,
    read_text,
    running_processes,
    warned,
)

# ---------------------------------------------------------------- SMB

SMB_CONF = "/etc/samba/smb.conf"
SMB_SYNONYMS = {"allowhosts": "hostsallow", "minprotocol": "serverminprotocol"}
SMB1_PROTOCOLS = ("CORE", "COREPLUS", "LANMAN1", "LANMAN2", "NT1")


def _smb_key(key):
    key = re.sub(r"[\s_]", "", key.lower())
    return SMB_SYNONYMS.get(key, key)


def parse_smb_conf(text):
    """{section: {normalised key: (value, line)}} of an smb.conf; keys lose case, spaces and '_'."""
    sections = {}
    current = None
    for start, body in logical_lines(text):
        if body[0] in "#;":
            continue
        if body.startswith("[") and body.endswith("]"):
            current = sections.setdefault(body[1:-1].strip().lower(), {})
            continue
        key, sep, value = body.partition("=")
        if sep and current is not None:
            current[_smb_key(key)] = (value.strip(), start)
    return sections


def _smb_global(ctx, path):
    if not os.path.exists(path) and not ctx.installed(["samba"], ["/usr/sbin/smbd"]):
        return None
    text = read_optional(path)
    if text is None:
        return {}
    return parse_smb_conf(text).get("global", {})


def smb_01_hosts_allow(ctx, path=SMB_CONF):
    """SMB-01: [global] hosts allow limits clients to trusted networks."""
    glob_ = _smb_global(ctx, path)
    if glob_ is None:
        return not_applicable("samba is not installed and %s does not exist" % path)
    if "hostsallow" not in glob_:
        return failed("%s: no 'hosts allow' in [global]: every client may connect" % path)
    value, line = glob_["hostsallow"]
    words = re.split(r"[\s,]+", value)
    if "EXCEPT" in [w.upper() for w in words]:
        words = words[: [w.upper() for w in words].index("EXCEPT")]
    scopes = set(classify_client(w, ctx.trusted) for w in words if w)
    evidence = "%s line %d: hosts allow = %s" % (path, line, value)
    if scopes & set(("all", "untrusted")):
        return failed(evidence)
    if "unknown" in scopes:
        return warned(evidence)
    return passed(evidence)


def smb_02_interfaces(ctx, path=SMB_CONF):
    """SMB-02: smbd binds only to the listed interfaces (bind interfaces only + interfaces)."""
    glob_ = _smb_global(ctx, path)
    if glob_ is None:
        return not_applicable("samba is not installed and %s does not exist" % path)
    bind_only = glob_.get("bindinterfacesonly", ("no (default)", 0))
    interfaces = glob_.get("interfaces")
    evidence = ["%s: bind interfaces only = %s" % (path, bind_only[0])]
    evidence.append("%s: interfaces = %s" % (path, interfaces[0] if interfaces else "(not set: all)"))
    if bind_only[0].lower() in ("yes", "true", "1") and interfaces and interfaces[0].strip():
        return passed(*evidence)
    return failed(*evidence)


def smb_03_min_protocol(ctx, path=SMB_CONF):
    """SMB-03: SMB1 is off (server min protocol above NT1)."""
    glob_ = _smb_global(ctx, path)
    if glob_ is None:
        return not_applicable("samba is not installed and %s does not exist" % path)
    value = glob_.get("serverminprotocol")
    if value is None:
        return passed("%s: no 'server min protocol' (default SMB2_02 since Samba 4.11)" % path)
    evidence = "%s line %d: server min protocol = %s" % (path, value[1], value[0])
    if value[0].upper() in SMB1_PROTOCOLS:
        return failed(evidence)
    return passed(evidence)


SMB_TRUE = ("yes", "true", "1", "on")


def smb_04_guests(ctx, path=SMB_CONF):
    """SMB-04: guests and anonymous users are refused (map to guest, restrict anonymous, guest ok)."""
    if not os.path.exists(path) and not ctx.installed(["samba"], ["/usr/sbin/smbd"]):
        return not_applicable("samba is not installed and %s does not exist" % path)
    sections = parse_smb_conf(read_optional(path) or "")
    glob_ = sections.get("global", {})
    bad = []
    value = glob_.get("maptoguest")
    if value is not None and re.sub(r"\s", "", value[0].lower()) != "never":
        bad.append("%s line %d: map to guest = %s" % (path, value[1], value[0]))
    value = glob_.get("restrictanonymous")
    if value is None or value[0].strip() != "2":
        shown = "%s (line %d)" % (value[0], value[1]) if value else "0 (the default)"
        bad.append("%s: restrict anonymous = %s; 2 refuses anonymous users" % (path, shown))
    for name, section in sorted(sections.items()):
        for key in ("guestok", "public"):
            value = section.get(key)
            if name != "global" and value is not None and value[0].lower() in SMB_TRUE:
                bad.append("%s line %d: [%s] guest access (%s)" % (path, value[1], name, value[0]))
    if bad:
        return failed(*bad)
    return passed("%s: map to guest = never, restrict anonymous = 2, no guest share" % path)


def smb_05_netbios(ctx, path=SMB_CONF):
    """SMB-05: NetBIOS is off: disable netbios = yes and no nmbd running."""
    glob_ = _smb_global(ctx, path)
    if glob_ is None:
        return not_applicable("samba is not installed and %s does not exist" % path)
    nmbd = sorted(pid for pid, comm in ctx.cached("processes", running_processes, ctx.proc).items() if comm == "nmbd")
    value = glob_.get("disablenetbios")
    bad = ["nmbd running (pid %s)" % ", ".join(str(p) for p in nmbd)] if nmbd else []
    if value is None or value[0].lower() not in SMB_TRUE:
        bad.append("%s: disable netbios = %s" % (path, value[0] if value else "no (the default)"))
    if bad:
        return failed(*bad)
    return passed("%s line %d: disable netbios = %s; nmbd not running" % (path, value[1], value[0]))


# ---------------------------------------------------------------- WEB

APACHE_CONFS = ("/etc/apache2/apache2.conf", "/etc/httpd/conf/httpd.conf")


def parse_apache(path, root=None, depth=0):
    """Directives of an Apache configuration, Include/IncludeOptional followed in place.

    Returns (file, line, name, args, context) tuples; context is the innermost
    ``<Directory ...>``-like section, or ''.
    """
    root = root or os.path.dirname(path)
    directives = []
    sections = []
    for start, body in logical_lines(read_text(path)):
        if body.startswith("#"):
            continue
        if body.startswith("</"):
            if sections:
                sections.pop()
            continue
        if body.startswith("<"):
            sections.append(body.strip("<>"))
            continue
        words = body.split(None, 1)
        name, args = words[0], words[1] if len(words) > 1 else ""
        if name.lower() in ("include", "includeoptional") and depth < 10:
            pattern = args.strip().strip('"')
            if not os.path.isabs(pattern):
                pattern = os.path.join(root, pattern)
            matches = sorted(glob.glob(pattern))
            if not matches and name.lower() == "include" and not glob.has_magic(pattern):
                raise ValueError("%s line %d: Include %s: no such file" % (path, start, pattern))
            for included in matches:
                if os.path.isfile(included):
                    directives.extend(parse_apache(included, root, depth + 1))
            continue
        directives.append((path, start, name, args, sections[-1] if sections else ""))
    return directives


def load_apache(ctx, paths=APACHE_CONFS):
    def load():
        for path in paths:
            if os.path.exists(path):
                return path, parse_apache(path)
        return None, None

    return ctx.cached(("apache", tuple(paths)), load)


def _last(directives, name):
    found = [d for d in directives if d[2].lower() == name.lower()]
    return found[-1] if found else None


def _apache_value_check(ctx, paths, name, good, default, sections=False):
    """The last server-level NAME decides; with SECTIONS, a bad NAME inside a section
    (<VirtualHost>, <Directory>...) fails too, as it turns the setting back on there."""
    path, directives = load_apache(ctx, paths)
    if path is None:
        return not_applicable("no Apache configuration (%s)" % ", ".join(paths))

    def is_good(directive):
        return (directive[3].split() or [""])[0].lower() in good

    def where(directive):
        return "%s line %d: %s %s%s" % (
            directive[0],
            directive[1],
            directive[2],
            directive[3],
            " (in <%s>)" % directive[4] if directive[4] else "",
        )

    def in_section(directive):
        # <IfModule>, <IfDefine>, <IfVersion>...: conditions of the server level, not sections.
        return sections and directive[4] and not directive[4].lower().startswith("if")

    found = _last([d for d in directives if not in_section(d)], name)
    bad = [where(d) for d in directives if in_section(d) and d[2].lower() == name.lower() and not is_good(d)]
    if found is None:
        evidence = "%s: no %s (default %s)" % (path, name, default)
        ok = default.lower() in good
    else:
        evidence = where(found)
        ok = is_good(found)
    if ok and not bad:
        return passed(evidence)
    return failed(*([] if ok else [evidence]) + bad)


def web_01_server_tokens(ctx, paths=APACHE_CONFS):
    """WEB-01: ServerTokens Prod."""
    return _apache_value_check(ctx, paths, "ServerTokens", ("prod", "productonly"), "Full")


def web_02_server_signature(ctx, paths=APACHE_CONFS):
    """WEB-02: ServerSignature Off."""
    return _apache_value_check(ctx, paths, "ServerSignature", ("off",), "Off", sections=True)


def web_03_trace(ctx, paths=APACHE_CONFS):
    """WEB-03: TraceEnable Off."""
    return _apache_value_check(ctx, paths, "TraceEnable", ("off",), "On", sections=True)


def web_04_indexes(ctx, paths=APACHE_CONFS):
    """WEB-04: no Options directive enables Indexes (or All)."""
    path, directives = load_apache(ctx, paths)
    if path is None:
        return not_applicable("no Apache configuration (%s)" % ", ".join(paths))
    bad = []
    for file_, line, name, args, context in directives:
        if name.lower() != "options":
            continue
        words = [w.lower() for w in args.split()]
        if "indexes" in words or "+indexes" in words or "all" in words:
            bad.append("%s line %d: Options %s%s" % (file_, line, args, " (in <%s>)" % context if context else ""))
    if bad:
        return failed(*bad)
    return passed("%s: no Options enabling Indexes" % path)


# ---------------------------------------------------------------- RPC

EXPORTS = ("/etc/exports",)
EXPORTS_D = "/etc/exports.d"
NFS_DEFAULTS = ("/etc/default/nfs-kernel-server", "/etc/default/nfs-common")
NFS_CONF = "/etc/nfs.conf"


def _strip_comment(line):
    return line.split("#", 1)[0].strip()


def parse_exports(text, path):
    """Exports as dicts: line, path, clients [(client, options)]; '' is the world."""
    exports = []
    for start, body in logical_lines(text, _strip_comment):
        try:
            words = shlex.split(body)
        except ValueError as e:
            raise ValueError("cannot parse %s line %d: %s" % (path, start, e)) from None
        defaults = ""
        rest = words[1:]
        if rest and rest[0].startswith("-"):
            defaults = rest.pop(0)[1:]
        clients = []
        for word in rest:
            client, _sep, opts = word.partition("(")
            options = ",".join(o for o in (defaults, opts.rstrip(")")) if o)
            clients.append((client, options))
        if not clients:
            clients.append(("", defaults))
        exports.append({"line": start, "path": words[0], "clients": clients})
    return exports


def load_exports(paths=EXPORTS, directory=EXPORTS_D):
    """(file, export) pairs of /etc/exports and /etc/exports.d/*.exports; None without any."""
    files = [p for p in paths if os.path.exists(p)] + sorted(glob.glob(os.path.join(directory, "*.exports")))
    if not files:
        return None
    return [(f, e) for f in files for e in parse_exports(read_text(f), f)]


def rpc_01_root_squash(ctx, paths=EXPORTS, directory=EXPORTS_D):
    """RPC-01: no export has no_root_squash."""
    exports = load_exports(paths, directory)
    if exports is None:
        return not_applicable("no %s" % ", ".join(paths))
    bad = [
        "%s line %d: %s %s(%s)" % (f, e["line"], e["path"], client, opts)
        for f, e in exports
        for client, opts in e["clients"]
        if "no_root_squash" in opts.split(",")
    ]
    if bad:
        return failed(*bad)
    return passed("%d exports, none with no_root_squash" % len(exports))


def rpc_02_world(ctx, paths=EXPORTS, directory=EXPORTS_D):
    """RPC-02: no export is open to every client ('*' or no client given)."""
    exports = load_exports(paths, directory)
    if exports is None:
        return not_applicable("no %s" % ", ".join(paths))
    bad = [
        "%s line %d: %s %s" % (f, e["line"], e["path"], client or "(no client: world)")
        for f, e in exports
        for client, _opts in e["clients"]
        if client in ("", "*", "*.*", "0.0.0.0/0", "::/0")
    ]
    if bad:
        return failed(*bad)
    return passed("%d exports, none open to the world" % len(exports))


def parse_shell_vars(text):
    values = {}
    for line in text.splitlines():
        match = re.match(r"^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if match:
            try:
                words = shlex.split(match.group(2), comments=True)
            except ValueError:
                words = [match.group(2)]
            values[match.group(1)] = " ".join(words)
    return values


def parse_ini(text):
    """{section: {key: value}} of nfs.conf (keys lower case)."""
    sections, current = {}, None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            current = sections.setdefault(stripped[1:-1].strip().lower(), {})
        elif "=" in stripped and current is not None:
            key, _sep, value = stripped.partition("=")
            current[key.strip().lower()] = value.strip()
    return sections


_PORT_OPT_RE = re.compile(r"(?:^|\s)(?:-p|--port)(?:\s+|=)(\d+)")


def rpc_03_fixed_ports(
    ctx, defaults=NFS_DEFAULTS, nfs_conf=NFS_CONF, env_script="/usr/lib/systemd/scripts/nfs-utils_env.sh"
):
    """RPC-03: mountd (NFS server) and statd use fixed ports, so a firewall can name them.

    RPCMOUNTDOPTS/STATDOPTS in /etc/default count only where something passes them to the
    daemons: Debian 11's nfs-config.service (env_script), or a host without nfs.conf (init
    scripts). Debian 12 and 13 start the daemons from nfs.conf alone."""
    server = ctx.installed(["nfs-kernel-server"], ["/usr/sbin/rpc.mountd"])
    client = ctx.installed(["nfs-common"], ["/usr/sbin/rpc.statd", "/sbin/rpc.statd"])
    if not server and not client:
        return not_applicable("nfs-kernel-server and nfs-common are not installed")
    conf_text = read_optional(nfs_conf)
    read_defaults = os.path.exists(env_script) or conf_text is None
    shell = {}
    for path in defaults if read_defaults else ():
        shell.update(parse_shell_vars(read_optional(path) or ""))
    ini = parse_ini(conf_text or "")
    evidence, bad = [], False
    daemons = [("mountd", "RPCMOUNTDOPTS")] if server else []
    daemons.append(("statd", "STATDOPTS"))
    for daemon, var in daemons:
        port = ini.get(daemon, {}).get("port")
        match = _PORT_OPT_RE.search(shell.get(var, ""))
        if port:
            evidence.append("%s: [%s] port=%s" % (nfs_conf, daemon, port))
        elif match:
            evidence.append("%s=%r: port %s" % (var, shell[var], match.group(1)))
        elif read_defaults:
            evidence.append(
                "%s: no fixed port (%s=%r, no [%s] port in %s)" % (daemon, var, shell.get(var, ""), daemon, nfs_conf)
            )
            bad = True
        else:
            evidence.append(
                "%s: no fixed port (no [%s] port in %s; %s in /etc/default is not passed to the daemon)"
                % (daemon, daemon, nfs_conf, var)
            )
            bad = True
    return warned(*evidence) if bad else passed(*evidence)


# ---------------------------------------------------------------- LPD

HOSTS_LPD = "/etc/hosts.lpd"
CUPSD_CONF = "/etc/cups/cupsd.conf"


def lpd_01_hosts_lpd(ctx, path=HOSTS_LPD):
    """LPD-01: /etc/hosts.lpd does not let every host (+) print.

    Fails on '+'; passes when every entry is an address inside the trusted networks (or a
    '-' exclusion); warns on host names, netgroups and addresses outside them, which the
    configuration alone cannot vouch for."""
    text = read_optional(path)
    if text is None:
        if ctx.installed(["lpr", "lprng"], ["/usr/sbin/lpd"]):
            return passed("%s does not exist: no remote host may print" % path)
        return not_applicable("no lpd installed and no %s" % path)
    entries = [
        (n, line.strip())
        for n, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.strip().startswith("#")
    ]
    evidence = ["%s line %d: %s" % (path, n, entry) for n, entry in entries]
    if any(entry == "+" for _n, entry in entries):
        return failed(*evidence)
    if any(not entry.startswith("-") and classify_client(entry, ctx.trusted) != "trusted" for _n, entry in entries):
        return warned(*evidence)
    return passed(*(evidence or ["%s lists no host" % path]))


def _cups_directives(ctx, path):
    text = read_optional(path)
    if text is None:
        return None
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if words and not words[0].startswith("#"):
            found.append((n, words[0].lower(), words[1:]))
    return found


def lpd_02_cups_listen(ctx, path=CUPSD_CONF):
    """LPD-02: cupsd listens on internal addresses or its socket only."""
    directives = _cups_directives(ctx, path)
    if directives is None:
        return not_applicable("%s does not exist" % path)
    evidence, bad = [], False
    for n, name, args in directives:
        if name == "port":
            evidence.append("%s line %d: Port %s (every address)" % (path, n, " ".join(args)))
            bad = True
        elif name == "listen" and args:
            evidence.append("%s line %d: Listen %s" % (path, n, args[0]))
            where = args[0]
            if where.startswith("/"):
                continue
            host = where.rsplit(":", 1)[0].strip("[]") if ":" in where else where
            if host.lower() != "localhost" and classify_client(host, ctx.internal_networks) != "trusted":
                bad = True
    if bad:
        return failed(*evidence)
    return passed(*(evidence or ["%s: no Listen or Port" % path]))


def lpd_03_cups_browsing(ctx, path=CUPSD_CONF):
    """LPD-03: cupsd does not announce or look for shared printers (Browsing Off)."""
    directives = _cups_directives(ctx, path)
    if directives is None:
        return not_applicable("%s does not exist" % path)
    found = [(n, args) for n, name, args in directives if name == "browsing"]
    if not found:
        return failed("%s: no Browsing directive (default on)" % path)
    n, args = found[-1]
    evidence = "%s line %d: Browsing %s" % (path, n, " ".join(args))
    if args and args[0].lower() in ("off", "no", "false"):
        return passed(evidence)
    return failed(evidence)
