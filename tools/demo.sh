#!/usr/bin/env bash
# make demo: a small fleet of soft targets and a scanner on an --internal docker network.
#   mail  Debian 11, dns  Debian 12, files  Debian 13: each one the bastion/fleet image, with
#   every daemon the collection hardens installed the way apt leaves it (exim4, bind9, samba,
#   CUPS and lpd, apache2, rpcbind and the NFS userland, sshd) plus openbsd-inetd with telnet,
#   finger, talk, rsh (11, 12) and inetd's internal services switched on
#   (molecule/inetd/prepare.yml, as the inetd scenario does).
# Flow: audit the fleet (reports/before), show the failures per host, harden, harden again
# (must report 0 changes), audit again (reports/after), and print a before/after table per
# host. Cleans up on exit and on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/.venv/bin:/usr/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=$PWD/.venv/collections ANSIBLE_PIPELINING=true
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0
net=bastion-demo-net
scanner=bastion-demo-scanner
# inventory name (= container name), image, what the host stands for
fleet=(
  "bastion-demo-mail fleet:debian11 172.30.77.11 mail server"
  "bastion-demo-dns fleet:debian12 172.30.77.12 DNS server"
  "bastion-demo-files fleet:debian13 172.30.77.13 file/print server"
)
# The administrators' network (Ansible, sshd, the firewall's SSH rule): the lower half of the
# demo network. The scanner (.200) is outside it, as an attacker on the same LAN would be.
subnet=172.30.77.0/24
management=172.30.77.0/25
hosts=()
for entry in "${fleet[@]}"; do hosts+=("${entry%% *}"); done
work=$(mktemp -d)
started=$(date +%s)

cleanup() {
  docker rm -f "${hosts[@]}" "$scanner" >/dev/null 2>&1 || true
  docker network rm "$net" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup
mkdir -p "$work"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
elapsed() { echo "$(($(date +%s) - $1)) s"; }

# Wildcard listening sockets (0.0.0.0, [::], *), TCP and UDP, seen inside a host.
wildcards() {
  docker exec "$1" ss -H -ltnu | awk '$5 ~ /^(0\.0\.0\.0|\[::\]|\*):/' | wc -l
}

# Open TCP ports of a host seen from the scanner, comma-separated ("-" when none).
open_ports() {
  docker exec "$scanner" nmap -Pn -n -sT -T4 --max-retries 1 -p 1-1024,2323 -oG - "$1" |
    grep -o '[0-9]*/open/tcp' | cut -d/ -f1 | paste -sd, - | sed 's/^$/-/'
}

snapshot() { # $1 = label: one line per host in $work/$1
  local host
  for host in "${hosts[@]}"; do
    printf '%s %s %s\n' "$host" "$(wildcards "$host")" "$(open_ports "$host")"
  done >"$work/$1"
}

# Fails the demo with the log when a playbook fails.
play() { # $1 = log name, rest = ansible-playbook arguments
  local log=$work/$1.log
  shift
  ansible-playbook -i "$work/inventory.ini" "$@" >"$log" 2>&1 || {
    cat "$log"
    echo "demo: ansible-playbook $* failed" >&2
    exit 1
  }
}

recap() { sed -n 's/^\(bastion-demo-[a-z]*\) *: \(.*\)$/\1: \2/p' "$work/$1.log" | tr -s ' ' | sed 's/^/  /'; }

say "Starting the fleet: ${#hosts[@]} soft targets and a scanner on the --internal network $net"
docker network create --internal --subnet "$subnet" --label org.bastion.test=demo "$net" >/dev/null
for entry in "${fleet[@]}"; do
  read -r name image address role <<<"$entry"
  # NET_ADMIN: the firewall role loads its ruleset in the container's own network namespace.
  docker run -d --name "$name" --hostname "${name#bastion-demo-}" --network "$net" --ip "$address" \
    --label org.bastion.test=demo --tmpfs /run --tmpfs /run/lock --tmpfs /tmp --cap-add NET_ADMIN \
    -v /sys/fs/cgroup:/sys/fs/cgroup:ro --cgroupns host "bastion/$image" >/dev/null
  # Also on docker's bridge: harden.yml installs the host and detection tools from Debian's
  # archive (the scanner stays on the internal network only).
  docker network connect bridge "$name"
  printf '  %-20s %-22s %-14s %s\n' "$name" "bastion/$image" "$address" "$role"
done
docker run -d --name "$scanner" --network "$net" --ip 172.30.77.200 --label org.bastion.test=demo \
  bastion/client:debian12 >/dev/null
printf '  %-20s %-22s %-14s %s\n' "$scanner" "bastion/client:debian12" "172.30.77.200" "nmap, nc"
cat <<'NOTE'
  Every host runs every daemon (one image); the names say what each stands for in a fleet.
  The policy (inventory below) is the collection's default: services bound to loopback,
  trusted clients on loopback, administrators on 172.30.77.0/25, finger kept through tcpd,
  and a default-deny firewall last.
NOTE

{
  echo "[targets]"
  printf '%s\n' "${hosts[@]}"
  echo
  echo "[inetd_hosts]"
  printf '%s\n' "${hosts[@]}"
  echo
  echo "[mail]"
  echo "bastion-demo-mail"
  echo "[dns]"
  echo "bastion-demo-dns"
  echo "[files]"
  echo "bastion-demo-files"
  echo
  echo "[targets:vars]"
  echo "ansible_connection=community.docker.docker"
  echo "ansible_python_interpreter=/usr/bin/python3"
  echo "# finger stays, through tcpd: the audit allows it on a wildcard address"
  echo 'inetd_keep_services=["finger"]'
  echo 'bastion_allowed_services=["tcp/22", "tcp/79"]'
  echo "bastion_management_networks=[\"$management\"]"
} >"$work/inventory.ini"

say "Preparing the soft targets (molecule/inetd/prepare.yml: stock services switched on)"
t=$(date +%s)
play prepare molecule/inetd/prepare.yml
echo "  prepared in $(elapsed "$t")"
snapshot before

say "Audit before: playbooks/audit.yml, report in reports/before"
rm -rf reports/before reports/after
t=$(date +%s)
ANSIBLE_CALLBACKS_ENABLED=bastion.hardening.compliance_report BASTION_REPORT_DIR=reports/before \
  play audit-before playbooks/audit.yml
echo "  audited in $(elapsed "$t")"
python3 - reports/before/compliance.json <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for name, host in sorted(report["hosts"].items()):
    failing = [c for c in host["checks"] if c["status"] == "fail"]
    t = host["totals"]
    print("  %s: %d pass, %d fail, %d warn, %d n/a"
          % (name, t["pass"], t["fail"], t["warn"], t["not_applicable"]))
    for c in failing:
        print("    FAIL %-9s %-8s %s" % (c["id"], c["severity"], c["title"]))
PY
echo "  The drift view, line by line per control ID (not run here, to keep the demo short):"
echo "    ansible-playbook -i INVENTORY playbooks/harden.yml --check --diff"

say "Hardening: playbooks/harden.yml (every role in it, in order)"
t=$(date +%s)
play harden1 playbooks/harden.yml
recap harden1
echo "  first run: $(elapsed "$t")"
t=$(date +%s)
play harden2 playbooks/harden.yml
recap harden2
echo "  second run (idempotent): $(elapsed "$t")"
if recap harden2 | grep -v ' changed=0 ' | grep -q .; then
  echo "demo: the second harden run changed something" >&2
  exit 1
fi

say "Audit after: playbooks/audit.yml, report in reports/after"
t=$(date +%s)
ANSIBLE_CALLBACKS_ENABLED=bastion.hardening.compliance_report BASTION_REPORT_DIR=reports/after \
  play audit-after playbooks/audit.yml
echo "  audited in $(elapsed "$t")"
snapshot after

say "Before -> after, per host"
python3 - "$work/before" "$work/after" reports/before/compliance.json reports/after/compliance.json <<'PY'
import json, sys
def scan(path):
    return {line.split()[0]: line.split()[1:] for line in open(path)}
before, after = scan(sys.argv[1]), scan(sys.argv[2])
rb, ra = (json.load(open(p))["hosts"] for p in sys.argv[3:5])
fmt = "  %-20s %-14s %-22s %-30s %s"
print(fmt % ("host", "wildcard socks", "open TCP (scanner)", "ports", "audit pass/fail"))
for host in sorted(before):
    (wb, pb), (wa, pa) = before[host], after[host]
    count = lambda p: 0 if p == "-" else len(p.split(","))
    tb, ta = rb[host]["totals"], ra[host]["totals"]
    print(fmt % (host, "%s -> %s" % (wb, wa), "%d -> %d" % (count(pb), count(pa)),
                 "after: %s" % pa, "%d/%d -> %d/%d" % (tb["pass"], tb["fail"], ta["pass"], ta["fail"])))
    print("  %-20s %-14s %-22s %s" % ("", "", "", "before: %s" % pb))
still = {h: [c["id"] for c in ra[h]["checks"] if c["status"] == "fail"] for h in sorted(ra)}
print("\n  Still failing after hardening (areas whose roles are still to come, or outside the policy):")
for host, ids in still.items():
    print("    %s: %s" % (host, ", ".join(ids) or "none"))
PY

say "finger is kept, through tcpd and behind the firewall: answered on the host itself, not to the scanner"
for host in "${hosts[@]}"; do
  local_answer=$(docker exec "$host" sh -c 'echo root | nc -q 2 -w 5 127.0.0.1 79' 2>/dev/null | head -n 1 | tr -s ' \t' ' ' || true)
  remote=$(docker exec "$scanner" sh -c "echo root | nc -q 2 -w 5 $host 79" 2>/dev/null || true)
  printf '  %-20s local: %-40.40s scanner: %s\n' "$host" "${local_answer:-(nothing)}" "${remote:-(refused)}"
done

say "Reports (HTML, JSON, JUnit)"
printf '  %s\n' reports/before/compliance.* reports/after/compliance.*
echo "  demo finished in $(elapsed "$started")"
