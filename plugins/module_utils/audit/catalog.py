# -*- coding: utf-8 -*-
# Copyright: bastion.hardening maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every audit check, in report order, with its ID, title, area, severity and remediation.

IDs are stable (docs/controls.md): never renumber or reuse one. A check with a role names
the role and the variables that fix it; one without says how to fix the finding by hand.
"""

from __future__ import annotations

from ansible_collections.bastion.hardening.plugins.module_utils.audit import (
    accounts,
    backup,
    daemons,
    dns,
    files,
    logs,
    mail,
    network,
    patch,
    services,
    ssh,
    system,
)
from ansible_collections.bastion.hardening.plugins.module_utils.audit.core import Check, selected, which

SVC = "internet services"
ACC = "internet access"
AUTHN = "authentication"
AUTHZ = "authorization"
DATA = "data protection"
AUDIT = "security audit"
INCIDENT = "incident handling"


def _inetd(check_id, title, severity, func, variable, text):
    return Check(check_id, title, SVC, severity, func, "inetd", [variable], text)


CHECKS = [
    Check(
        "NET-01",
        "No service listens on a wildcard address unless allowed",
        ACC,
        "high",
        network.net_01_wildcard,
        text="Bind the service to an internal address, disable it, or add proto/port to allowed_services.",
    ),
    Check(
        "NET-02",
        "No service listens on a non-internal address unless allowed",
        ACC,
        "high",
        network.net_02_external,
        text="Bind the service to an address in internal_addresses, or add proto/port to allowed_services.",
    ),
    _inetd(
        "INETD-01",
        "inetd.conf services outside allowed_services are disabled",
        "high",
        services.inetd_01_services,
        "inetd_disable_services_enabled",
        "Disable the services with #<off># (update-inetd --disable) or run the inetd role.",
    ),
    _inetd(
        "INETD-02",
        "xinetd services outside allowed_services are disabled",
        "high",
        services.inetd_02_xinetd,
        "inetd_xinetd_enabled",
        "Set 'disable = yes' in the service's xinetd.d file or run the inetd role.",
    ),
    _inetd(
        "INETD-03",
        "Socket units of legacy services are not enabled",
        "high",
        services.inetd_03_socket_units,
        "inetd_socket_units_enabled",
        "systemctl disable --now and mask the socket units, or run the inetd role.",
    ),
    _inetd(
        "INETD-04",
        "Enabled inetd.conf services run through tcpd",
        "medium",
        services.inetd_04_tcpd,
        "inetd_tcpd_wrap_enabled",
        "Put /usr/sbin/tcpd before the server path in inetd.conf, or run the inetd role.",
    ),
    _inetd(
        "INETD-05",
        "Packages of disabled legacy services are purged",
        "low",
        services.inetd_05_packages,
        "inetd_purge_packages_enabled",
        "apt-get purge the packages, or run the inetd role with inetd_purge_packages_enabled.",
    ),
    _inetd(
        "INETD-06",
        "No superserver runs with nothing to serve",
        "medium",
        services.inetd_06_superserver,
        "inetd_stop_superserver_enabled",
        "Stop and disable inetd/xinetd, or run the inetd role.",
    ),
    Check(
        "TCPW-01",
        "hosts.deny denies by default (ALL: ALL)",
        ACC,
        "medium",
        services.tcpw_01_default_deny,
        role="tcp_wrappers",
        variables=["tcp_wrappers_deny_enabled"],
        text="Add 'ALL: ALL' to /etc/hosts.deny and grant access in /etc/hosts.allow, or run the tcp_wrappers role.",
    ),
    Check(
        "TCPW-02",
        "hosts.allow grants only listed clients in the trusted networks",
        ACC,
        "medium",
        services.tcpw_02_allow,
        role="tcp_wrappers",
        variables=["tcp_wrappers_allow", "bastion_trusted_networks"],
        text="Limit the client lists in /etc/hosts.allow to trusted_networks, or run the tcp_wrappers role.",
    ),
    Check("MAIL-01", "Installed mail transfer agent", SVC, "info", mail.mail_01_mta, text="Inventory only."),
    Check(
        "MAIL-02",
        "Port 25 listens on internal addresses only",
        ACC,
        "high",
        mail.mail_02_port25,
        role="mail",
        variables=["mail_listen_enabled", "mail_internal_addresses"],
        text="Postfix: inet_interfaces = loopback-only; exim4: dc_local_interfaces='127.0.0.1 ; ::1'; "
        "sendmail: DAEMON_OPTIONS Addr=127.0.0.1.",
    ),
    Check(
        "MAIL-03",
        "The MTA refuses VRFY and EXPN",
        SVC,
        "medium",
        mail.mail_03_vrfy,
        role="mail",
        variables=["mail_vrfy_enabled"],
        text="Postfix: disable_vrfy_command = yes; exim4: leave acl_smtp_vrfy/acl_smtp_expn unset; "
        "sendmail: PrivacyOptions with goaway (or novrfy,noexpn).",
    ),
    Check(
        "MAIL-04",
        "The MTA is not an open relay",
        SVC,
        "critical",
        mail.mail_04_relay,
        role="mail",
        variables=["mail_relay_enabled", "mail_trusted_networks"],
        text="Postfix: smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination with a tight "
        "mynetworks; exim4: dc_relay_nets; sendmail: remove relay entries from the access map.",
    ),
    Check(
        "MAIL-05",
        "The SMTP greeting names neither the MTA nor its version",
        SVC,
        "low",
        mail.mail_05_banner,
        role="mail",
        variables=["mail_banner_enabled"],
        text="Postfix: smtpd_banner = $myhostname ESMTP; exim4: smtp_banner = ${primary_hostname} ESMTP; "
        "sendmail: define(`confSMTP_LOGIN_MSG', `$j').",
    ),
    Check(
        "DNS-01",
        "BIND restricts zone transfers",
        DATA,
        "high",
        dns.dns_01_transfer,
        role="dns",
        variables=["dns_transfer_enabled"],
        text="allow-transfer { none; }; in options (or the secondaries' addresses/keys per zone).",
    ),
    Check(
        "DNS-02",
        "BIND limits recursion to trusted clients",
        SVC,
        "high",
        dns.dns_02_recursion,
        role="dns",
        variables=["dns_recursion_enabled"],
        text="recursion no; or allow-recursion { trusted networks; };",
    ),
    Check(
        "DNS-03",
        "BIND limits queries to trusted clients",
        SVC,
        "low",
        dns.dns_03_query,
        role="dns",
        variables=["dns_query_enabled"],
        text="allow-query { trusted networks; }; unless the server is authoritative for the Internet.",
    ),
    Check(
        "DNS-04",
        "BIND listens on internal addresses only",
        ACC,
        "medium",
        dns.dns_04_listen,
        role="dns",
        variables=["dns_listen_enabled"],
        text="listen-on { 127.0.0.1; }; listen-on-v6 { ::1; }; or allow udp/53 and tcp/53 in allowed_services.",
    ),
    Check(
        "DNS-05",
        "BIND hides its version",
        SVC,
        "low",
        dns.dns_05_version,
        role="dns",
        variables=["dns_version_enabled"],
        text='version "none"; in options.',
    ),
    Check(
        "DNS-06",
        "BIND runs as its own user",
        SVC,
        "medium",
        dns.dns_06_user,
        role="dns",
        variables=["dns_user_enabled", "dns_user"],
        text="-u bind in OPTIONS of /etc/default/named (or /etc/default/bind9), or run the dns role.",
    ),
    Check(
        "SMB-01",
        "Samba limits clients with hosts allow",
        ACC,
        "high",
        daemons.smb_01_hosts_allow,
        role="samba",
        variables=["samba_hosts_allow_enabled", "bastion_trusted_networks"],
        text="hosts allow = 127.0.0.1 <trusted networks> in [global] of smb.conf, or run the samba role.",
    ),
    Check(
        "SMB-02",
        "Samba binds to the listed interfaces only",
        ACC,
        "medium",
        daemons.smb_02_interfaces,
        role="samba",
        variables=["samba_bind_interfaces_enabled", "samba_interfaces"],
        text="bind interfaces only = yes and interfaces = lo <internal interface> in [global].",
    ),
    Check(
        "SMB-03",
        "Samba refuses SMB1",
        SVC,
        "high",
        daemons.smb_03_min_protocol,
        role="samba",
        variables=["samba_min_protocol_enabled", "samba_min_protocol"],
        text="server min protocol = SMB2_02 or later (remove NT1/LANMAN settings), or run the samba role.",
    ),
    Check(
        "SMB-04",
        "Samba refuses guests and anonymous users",
        ACC,
        "high",
        daemons.smb_04_guests,
        role="samba",
        variables=["samba_no_guest_enabled"],
        text="map to guest = never, restrict anonymous = 2 and guest ok = no in every share, or run the samba role.",
    ),
    Check(
        "SMB-05",
        "NetBIOS is off",
        SVC,
        "medium",
        daemons.smb_05_netbios,
        role="samba",
        variables=["samba_netbios_disabled_enabled"],
        text="disable netbios = yes in [global] and stop nmbd, or run the samba role.",
    ),
    Check(
        "WEB-01",
        "Apache ServerTokens Prod",
        SVC,
        "low",
        daemons.web_01_server_tokens,
        role="apache",
        variables=["apache_server_tokens_enabled"],
        text="ServerTokens Prod in /etc/apache2/conf-available/security.conf.",
    ),
    Check(
        "WEB-02",
        "Apache ServerSignature Off",
        SVC,
        "low",
        daemons.web_02_server_signature,
        role="apache",
        variables=["apache_server_signature_enabled"],
        text="ServerSignature Off in /etc/apache2/conf-available/security.conf.",
    ),
    Check(
        "WEB-03",
        "Apache TraceEnable Off",
        SVC,
        "medium",
        daemons.web_03_trace,
        role="apache",
        variables=["apache_trace_off_enabled"],
        text="TraceEnable Off in /etc/apache2/conf-available/security.conf.",
    ),
    Check(
        "WEB-04",
        "Apache does not list directories (Options Indexes)",
        DATA,
        "medium",
        daemons.web_04_indexes,
        role="apache",
        variables=["apache_no_indexes_enabled"],
        text="Replace Options Indexes with Options -Indexes in the listed sections.",
    ),
    Check(
        "RPC-01",
        "NFS exports squash root",
        AUTHZ,
        "high",
        daemons.rpc_01_root_squash,
        role="rpc",
        variables=["rpc_exports", "rpc_no_root_squash", "rpc_exports_enabled"],
        text="Remove no_root_squash from /etc/exports and run exportfs -ra.",
    ),
    Check(
        "RPC-02",
        "NFS exports name their clients",
        AUTHZ,
        "high",
        daemons.rpc_02_world,
        role="rpc",
        variables=["rpc_exports", "rpc_world_clients", "rpc_trusted_networks", "rpc_exports_enabled"],
        text="Replace '*' or an empty client with the trusted hosts or networks in /etc/exports.",
    ),
    Check(
        "RPC-03",
        "mountd and statd use fixed ports",
        ACC,
        "low",
        daemons.rpc_03_fixed_ports,
        role="rpc",
        variables=["rpc_mountd_port", "rpc_statd_port", "rpc_ports_enabled"],
        text="Set port= in the [mountd] and [statd] sections of /etc/nfs.conf and filter them.",
    ),
    Check(
        "LPD-01",
        "hosts.lpd does not let every host print",
        AUTHZ,
        "medium",
        daemons.lpd_01_hosts_lpd,
        role="printing",
        variables=["printing_lpd_mode", "printing_lpd_hosts", "printing_lpd_enabled"],
        text="Remove '+' (and unneeded hosts) from /etc/hosts.lpd.",
    ),
    Check(
        "LPD-02",
        "CUPS listens on internal addresses only",
        ACC,
        "medium",
        daemons.lpd_02_cups_listen,
        role="printing",
        variables=["printing_cups_listen", "printing_cups_listen_enabled"],
        text="Listen localhost:631 and Listen /run/cups/cups.sock only in cupsd.conf.",
    ),
    Check(
        "LPD-03",
        "CUPS browsing is off",
        SVC,
        "low",
        daemons.lpd_03_cups_browsing,
        role="printing",
        variables=["printing_cups_browsing_enabled"],
        text="Browsing Off in cupsd.conf; stop cups-browsed if it is not needed.",
    ),
    Check(
        "PERM-01",
        "Init scripts are accessible to root only",
        AUTHZ,
        "medium",
        files.perm_01_init_scripts,
        text="chown root:root and chmod go-rwx the scripts in /etc/init.d.",
    ),
    Check(
        "PERM-02",
        "Shadow files are root:shadow 0640 at most",
        AUTHN,
        "critical",
        files.perm_02_shadow,
        text="chown root:shadow /etc/shadow /etc/gshadow; chmod 0640 them.",
    ),
    Check(
        "PERM-03",
        "passwd and group are root:root 0644 at most",
        AUTHN,
        "high",
        files.perm_03_passwd,
        text="chown root:root /etc/passwd /etc/group; chmod 0644 them.",
    ),
    Check(
        "PERM-04",
        "Cron files and directories are root's only",
        AUTHZ,
        "medium",
        files.perm_04_cron,
        text="chown root:root and chmod og-rwx /etc/crontab and the /etc/cron.* directories.",
    ),
    Check(
        "PERM-05",
        "sshd_config is root's only",
        AUTHN,
        "medium",
        files.perm_05_sshd_config,
        text="chown root:root /etc/ssh/sshd_config; chmod 0600 it.",
    ),
    Check(
        "PERM-06",
        "SUID/SGID files are on the allow-list",
        AUTHZ,
        "high",
        files.perm_06_suid,
        text="chmod u-s,g-s the file (or remove its package), or add it to suid_allowlist.",
    ),
    Check(
        "PERM-07",
        "No world-writable files",
        DATA,
        "high",
        files.perm_07_world_writable_files,
        text="chmod o-w the files.",
    ),
    Check(
        "PERM-08",
        "World-writable directories have the sticky bit",
        DATA,
        "medium",
        files.perm_08_sticky_dirs,
        text="chmod +t the directories (or o-w).",
    ),
    Check(
        "PERM-09",
        "Every file has a known owner and group",
        AUTHZ,
        "medium",
        files.perm_09_unowned,
        text="chown the files to an existing user and group, or remove them.",
    ),
    Check(
        "TMP-01",
        "/tmp is mounted nodev,nosuid,noexec",
        AUTHZ,
        "medium",
        files.tmp_01_tmp,
        role="tmp",
        variables=["tmp_tmp_enabled", "tmp_tmp_method", "tmp_tmp_size", "tmp_live_enabled", "tmp_mount_new_live"],
        text="Mount /tmp as tmpfs (tmp.mount) with nodev,nosuid,noexec.",
    ),
    Check(
        "TMP-02",
        "/var/tmp is mounted nodev,nosuid,noexec",
        AUTHZ,
        "medium",
        files.tmp_02_var_tmp,
        role="tmp",
        variables=["tmp_var_tmp_enabled", "tmp_var_tmp_mode", "tmp_live_enabled", "tmp_mount_new_live"],
        text="Give /var/tmp its own mount (or a bind mount) with nodev,nosuid,noexec in /etc/fstab.",
    ),
    Check(
        "TMP-03",
        "/dev/shm is mounted nodev,nosuid,noexec",
        AUTHZ,
        "medium",
        files.tmp_03_dev_shm,
        role="tmp",
        variables=["tmp_dev_shm_enabled", "tmp_live_enabled"],
        text="Add nodev,nosuid,noexec to /dev/shm in /etc/fstab.",
    ),
    Check(
        "FW-01",
        "A packet filter tool is installed",
        ACC,
        "high",
        network.fw_01_backend,
        role="firewall",
        variables=["firewall_install_enabled", "firewall_backend"],
        text="apt-get install nftables.",
    ),
    Check(
        "FW-02",
        "Input is dropped by default",
        ACC,
        "high",
        network.fw_02_input_policy,
        role="firewall",
        variables=["firewall_ruleset_enabled", "firewall_policy", "firewall_rules"],
        text="An nftables input chain with policy drop (type filter hook input priority 0; policy drop;).",
    ),
    Check(
        "FW-03",
        "A rule accepts SSH",
        ACC,
        "medium",
        network.fw_03_ssh_rule,
        role="firewall",
        variables=["firewall_ruleset_enabled", "firewall_management_networks", "firewall_ssh_ports"],
        text="tcp dport 22 accept (limited to trusted networks) in the input chain.",
    ),
    Check(
        "INTEG-01",
        "AIDE or Tripwire is installed",
        AUDIT,
        "medium",
        patch.integ_01_installed,
        text="apt-get install aide.",
    ),
    Check(
        "INTEG-02",
        "The integrity database is initialised",
        AUDIT,
        "medium",
        patch.integ_02_database,
        text="aideinit (or aide --init and move aide.db.new into place).",
    ),
    Check(
        "INTEG-03",
        "The integrity check ran recently",
        AUDIT,
        "medium",
        patch.integ_03_last_check,
        text="Enable dailyaidecheck.timer (or the cron job); check max_check_age_days.",
    ),
    Check(
        "IDS-01",
        "rkhunter or chkrootkit is installed",
        INCIDENT,
        "low",
        patch.ids_01_installed,
        role="intrusion_detection",
        variables=[
            "intrusion_detection_install_enabled",
            "intrusion_detection_rkhunter_enabled",
            "intrusion_detection_chkrootkit_enabled",
        ],
        text="apt-get install rkhunter (or chkrootkit).",
    ),
    Check(
        "IDS-02",
        "The last rootkit scan is recent and clean",
        INCIDENT,
        "high",
        patch.ids_02_last_result,
        role="intrusion_detection",
        variables=[
            "intrusion_detection_daily_scan_enabled",
            "intrusion_detection_rkhunter_allow",
            "intrusion_detection_rebaseline",
        ],
        text="Investigate each warning; run rkhunter --check daily (cron) and keep its properties up to date.",
    ),
    Check(
        "PATCH-01",
        "No package upgrade is pending",
        DATA,
        "medium",
        patch.patch_01_pending,
        text="apt-get update && apt-get upgrade.",
    ),
    Check(
        "PATCH-02",
        "No security upgrade is pending",
        DATA,
        "critical",
        patch.patch_02_security,
        text="apt-get upgrade now; enable unattended-upgrades for the security archive.",
    ),
    Check(
        "PATCH-03",
        "No reboot is pending",
        DATA,
        "medium",
        patch.patch_03_reboot,
        text="Reboot in the next maintenance window.",
    ),
    Check(
        "PATCH-04",
        "The newest installed kernel is running",
        DATA,
        "high",
        patch.patch_04_kernel,
        text="Reboot into the newest kernel.",
    ),
    Check(
        "PATCH-05",
        "Package files are unmodified",
        INCIDENT,
        "high",
        patch.patch_05_integrity,
        text="Find out why each file changed; reinstall the package (apt-get install --reinstall).",
    ),
    Check(
        "PATCH-06",
        "Unattended upgrades are configured",
        DATA,
        "high",
        patch.patch_06_unattended,
        role="updates",
        variables=["updates_unattended_enabled", "updates_install", "updates_unattended_origins"],
        text='Install unattended-upgrades; APT::Periodic::Unattended-Upgrade "1"; a security origin in '
        "Origins-Pattern.",
    ),
    Check(
        "BACKUP-01",
        "A backup completed recently",
        DATA,
        "high",
        backup.backup_01_recent,
        role="backup",
        variables=["backup_repository", "backup_schedule"],
        text="Configure backup_repository and backup_passphrase and run the backup role; "
        "systemctl status bastion-backup.service (journal, mail to the admin); check max_check_age_days.",
    ),
    Check(
        "BACKUP-02",
        "The backup repository is encrypted and its passphrase is root-only",
        DATA,
        "high",
        backup.backup_02_encrypted,
        role="backup",
        variables=["backup_repository", "backup_passphrase"],
        text="Run the backup role (borg init --encryption=repokey-blake2, /etc/bastion/backup 0700, "
        "passphrase and backup.conf 0600 root).",
    ),
]

CHECKS.extend(
    [
        Check(
            "SSH-01",
            "sshd refuses root logins with a password (PermitRootLogin)",
            AUTHZ,
            "high",
            ssh.ssh_01_root_login,
            role="ssh",
            variables=["ssh_root_enabled"],
            text="PermitRootLogin no (or prohibit-password) in /etc/ssh/sshd_config.d/; reload ssh.",
        ),
        Check(
            "SSH-02",
            "sshd refuses passwords (PasswordAuthentication, KbdInteractive, empty)",
            AUTHZ,
            "medium",
            ssh.ssh_02_passwords,
            role="ssh",
            variables=["ssh_password_enabled", "ssh_password_authentication"],
            text="Install keys, then PasswordAuthentication no and KbdInteractiveAuthentication no.",
        ),
        Check(
            "SSH-03",
            "sshd offers modern ciphers, MACs and key exchanges only",
            ACC,
            "medium",
            ssh.ssh_03_algorithms,
            role="ssh",
            variables=["ssh_crypto_enabled", "ssh_ciphers", "ssh_macs", "ssh_kex"],
            text="Set Ciphers, MACs and KexAlgorithms to modern lists (no CBC, SHA-1, MD5, NIST curves).",
        ),
        Check(
            "SSH-04",
            "AllowUsers or AllowGroups limits who may log in over SSH",
            AUTHZ,
            "medium",
            ssh.ssh_04_allowed,
            role="ssh",
            variables=["ssh_access_enabled", "ssh_allow_users", "ssh_allow_groups"],
            text="Set AllowUsers/AllowGroups (keep the account you administer with).",
        ),
        Check(
            "SSH-06",
            "sshd session limits (X11Forwarding, HostbasedAuthentication, IgnoreRhosts, MaxAuthTries)",
            ACC,
            "low",
            ssh.ssh_06_session,
            role="ssh",
            variables=["ssh_session_enabled", "ssh_max_auth_tries"],
            text="X11Forwarding no, HostbasedAuthentication no, IgnoreRhosts yes, MaxAuthTries 3.",
        ),
    ]
)

ACCT_CHECKS = [
    (
        "ACCT-01",
        "New passwords are checked by pam_pwquality (length and character classes)",
        AUTHN,
        "high",
        accounts.acct_01_password_quality,
        ["accounts_pwquality_enabled", "accounts_password_min_length", "accounts_password_min_classes"],
        "Install libpam-pwquality (pam-auth-update --enable pwquality); minlen = 14, minclass = 3 in "
        "/etc/security/pwquality.conf.d/.",
    ),
    (
        "ACCT-02",
        "Passwords age (login.defs PASS_MAX_DAYS, PASS_MIN_DAYS, PASS_WARN_AGE)",
        AUTHN,
        "medium",
        accounts.acct_02_password_ageing,
        ["accounts_ageing_enabled", "accounts_pass_max_days", "accounts_pass_min_days", "accounts_pass_warn_age"],
        "PASS_MAX_DAYS 365 or less, PASS_MIN_DAYS 1 or more, PASS_WARN_AGE 7 or more in /etc/login.defs "
        "(chage for existing accounts).",
    ),
    (
        "ACCT-03",
        "Idle login shells time out (read-only TMOUT)",
        AUTHN,
        "medium",
        accounts.acct_03_idle_timeout,
        ["accounts_timeout_enabled", "accounts_tmout"],
        "TMOUT=900; readonly TMOUT; export TMOUT in /etc/profile.d/.",
    ),
    (
        "ACCT-04",
        "su is restricted to a group (pam_wheel)",
        AUTHZ,
        "high",
        accounts.acct_04_su_group,
        ["accounts_su_enabled", "accounts_su_group", "accounts_su_members"],
        "auth required pam_wheel.so use_uid group=<group> in /etc/pam.d/su, after pam_rootok; put the "
        "administrators in the group.",
    ),
    (
        "ACCT-05",
        "System accounts have no login shell",
        AUTHZ,
        "medium",
        accounts.acct_05_system_shells,
        ["accounts_shells_enabled", "accounts_login_exempt"],
        "usermod -s /usr/sbin/nologin each account below UID_MIN except root.",
    ),
    (
        "ACCT-06",
        "No account has an empty password",
        AUTHN,
        "critical",
        accounts.acct_06_empty_passwords,
        ["accounts_empty_passwords_enabled", "accounts_empty_password_action"],
        "passwd -l the account (or set a password).",
    ),
    (
        "ACCT-07",
        "The default umask is 027 or stricter (login.defs and login shells)",
        DATA,
        "low",
        accounts.acct_07_umask,
        ["accounts_umask_enabled", "accounts_umask"],
        "UMASK 027 in /etc/login.defs and umask 027 in /etc/profile.d/.",
    ),
]
for _id, _title, _area, _severity, _func, _variables, _text in ACCT_CHECKS:
    CHECKS.append(Check(_id, _title, _area, _severity, _func, role="accounts", variables=_variables, text=_text))

_KERN_VARIABLES = {
    "KERN-01": ["kernel_ptrace_scope"],
    "KERN-02": ["kernel_kptr_restrict"],
    "KERN-06": ["kernel_rp_filter"],
}
_KERN_TITLES = [
    ("KERN-01", "ptrace is restricted (kernel.yama.ptrace_scope)", AUTHZ, "medium"),
    ("KERN-02", "Kernel pointers are hidden (kernel.kptr_restrict)", DATA, "low"),
    ("KERN-03", "dmesg is root's (kernel.dmesg_restrict)", DATA, "low"),
    ("KERN-04", "Link, FIFO and file protections are on (fs.protected_*)", AUTHZ, "medium"),
    ("KERN-05", "SUID programs do not dump core (fs.suid_dumpable)", DATA, "medium"),
    ("KERN-06", "Reverse path filtering is on (rp_filter)", ACC, "medium"),
    ("KERN-07", "ICMP redirects are ignored (accept_redirects)", ACC, "medium"),
    ("KERN-08", "Source-routed packets are refused (accept_source_route)", ACC, "medium"),
    ("KERN-09", "No ICMP redirects are sent (send_redirects)", ACC, "low"),
    ("KERN-10", "Martian packets are logged (log_martians)", AUDIT, "low"),
    ("KERN-11", "Broadcast pings are ignored (icmp_echo_ignore_broadcasts)", ACC, "low"),
    ("KERN-12", "TCP SYN cookies are on (tcp_syncookies)", ACC, "medium"),
]
for _id, _title, _area, _severity in _KERN_TITLES:
    _keys, _accepted, _optional = system.KERNEL_CHECKS[_id]
    CHECKS.append(
        Check(
            _id,
            _title,
            _area,
            _severity,
            system.kernel_checker(_id),
            role="kernel",
            variables=["kernel_sysctl_enabled"] + _KERN_VARIABLES.get(_id, []),
            text="Set %s in /etc/sysctl.d/ and run sysctl --system."
            % ", ".join("%s = %s" % (k, _accepted[0]) for k in _keys),
        )
    )

CHECKS.extend(
    [
        Check(
            "SYS-01",
            "No hidden processes",
            INCIDENT,
            "critical",
            system.sys_01_hidden,
            text="A PID alive but missing from /proc is a sign of a rootkit: isolate the host and investigate.",
        ),
        Check(
            "SYS-02",
            "Uptime, load and memory",
            INCIDENT,
            "info",
            system.sys_02_resources,
            text="Find the processes using the CPU or memory.",
        ),
        Check(
            "SYS-03",
            "Every file system has 10% free space",
            INCIDENT,
            "medium",
            system.sys_03_free_space,
            text="Free or add space on the listed file systems.",
        ),
        Check(
            "SYS-04",
            "No oversized log files",
            AUDIT,
            "low",
            system.sys_04_logs,
            text="Rotate the logs (logrotate) and find out why they grow.",
        ),
    ]
)


LOG_CHECKS = [
    (
        "LOG-01",
        "Log rotation caps the size of every log",
        AUDIT,
        "medium",
        logs.log_01_rotation_capped,
        ["logging_logrotate_enabled", "logging_max_size"],
        "maxsize in /etc/logrotate.conf before the include (or size/maxsize in each stanza), at most "
        "log_size_threshold_mb.",
    ),
    (
        "LOG-02",
        "The journal's disk use is capped",
        AUDIT,
        "low",
        logs.log_02_journal_capped,
        ["logging_journald_enabled", "logging_journal_max_use"],
        "SystemMaxUse= in /etc/systemd/journald.conf.d/*.conf, then systemctl restart systemd-journald.",
    ),
    (
        "LOG-03",
        "logwatch mails a daily log summary to the admin",
        INCIDENT,
        "medium",
        logs.log_03_logwatch_mails,
        ["logging_logwatch_enabled", "logging_admin_email"],
        "apt-get install logwatch; MailTo, Detail, Range in /etc/logwatch/conf/logwatch.conf.",
    ),
    (
        "LOG-04",
        "Logs under /var/log are not readable by others",
        DATA,
        "medium",
        logs.log_04_permissions,
        ["logging_permissions_enabled"],
        "chmod o-rwx,g-wx the files (0640 root:adm; wtmp/lastlog 0664 root:utmp), and the create modes of "
        "logrotate and rsyslog.",
    ),
    (
        "LOG-05",
        "The logs are also sent to a remote syslog server",
        AUDIT,
        "low",
        logs.log_05_remote_syslog,
        ["logging_remote_syslog_enabled", "logging_remote_syslog_host"],
        "An rsyslog forwarding drop-in (omfwd) to the site's log server; warns only, for sites without one.",
    ),
]
for _id, _title, _area, _severity, _func, _variables, _text in LOG_CHECKS:
    CHECKS.append(Check(_id, _title, _area, _severity, _func, role="logging", variables=_variables, text=_text))


def prefetch(ctx):
    """Start the slow commands of the selected checks, so they run while the walk does."""
    start = getattr(ctx.run, "start", None)
    if start is None:
        return

    def wanted(check_id):
        return selected(check_id, ctx.options["only"], ctx.options["skip"])

    if (wanted("PATCH-01") or wanted("PATCH-02")) and which("apt-get"):
        start(patch.APT_UPGRADE)
    if wanted("PATCH-06") and which("apt-config"):
        start(patch.APT_CONFIG_DUMP)
    if wanted("PATCH-05"):
        if which("dpkg"):
            start(patch.DPKG_VERIFY)
        elif which("rpm"):
            start(patch.RPM_VERIFY)
