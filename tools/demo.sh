#!/usr/bin/env bash
# make demo: start a soft-target container (Debian 12 with openbsd-inetd, telnetd, fingerd,
# talkd, rsh-server and the internal services listening on every address) and a scanner on
# an --internal network, show what listens, harden it, show it again. Cleans up on exit and
# on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/.venv/bin:/usr/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=$PWD/.venv/collections ANSIBLE_PIPELINING=true
net=bastion-demo-net
target=bastion-demo-target
scanner=bastion-demo-scanner
work=$(mktemp -d)

cleanup() {
  docker rm -f "$target" "$scanner" >/dev/null 2>&1 || true
  docker network rm "$net" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup
mkdir -p "$work"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

show() {
  say "$1: sockets listening inside $target"
  docker exec "$target" ss -H -ltnu | awk '{printf "  %-5s %s\n", $1, $5}' | sort -k2 -V
  say "$1: open ports seen from $scanner (nmap on the --internal network)"
  docker exec "$scanner" nmap -Pn -n -sT -p 1-1024,2323 "$target" | sed -n 's/^\([0-9]*\/tcp.*open.*\)/  \1/p'
}

docker network create --internal --label org.bastion.test=demo "$net" >/dev/null
docker run -d --name "$target" --hostname "$target" --network "$net" --label org.bastion.test=demo \
  --tmpfs /run --tmpfs /run/lock --tmpfs /tmp -v /sys/fs/cgroup:/sys/fs/cgroup:ro --cgroupns host \
  bastion/softtarget:debian12 >/dev/null
docker run -d --name "$scanner" --network "$net" --label org.bastion.test=demo bastion/client:debian12 >/dev/null

cat >"$work/inventory.ini" <<INI
[targets]
$target ansible_connection=community.docker.docker

[inetd_hosts]
$target

[inetd_hosts:vars]
inetd_keep_services=["finger"]
INI

say "Preparing the soft target (stock services switched on, as molecule's prepare does)"
ansible-playbook -i "$work/inventory.ini" molecule/inetd/prepare.yml >"$work/prepare.log" 2>&1 || {
  cat "$work/prepare.log"; exit 1; }

show "BEFORE"

say "Audit in check mode (--check --diff): what the inetd role would change"
ansible-playbook -i "$work/inventory.ini" playbooks/harden.yml --check --diff 2>&1 | grep -E '^(TASK|changed|ok|PLAY RECAP|[+-][a-z#])|: ok=' | sed 's/^/  /' | tail -n 40

say "Hardening: ansible-playbook playbooks/harden.yml"
start=$(date +%s)
ansible-playbook -i "$work/inventory.ini" playbooks/harden.yml 2>&1 | grep -E '^(PLAY RECAP)|: ok=' | sed 's/^/  /'
echo "  first run: $(( $(date +%s) - start )) s"
start=$(date +%s)
ansible-playbook -i "$work/inventory.ini" playbooks/harden.yml 2>&1 | grep -E ': ok=' | sed 's/^/  second run (idempotent): /'
echo "  second run: $(( $(date +%s) - start )) s"

show "AFTER"

say "finger is kept, through tcpd: answered on the host itself, refused to the scanner"
printf '  from %s itself: ' "$target"; docker exec "$target" sh -c 'echo root | nc -q 2 -w 5 127.0.0.1 79' | head -n 1
printf '  from %s:   ' "$scanner"; out=$(docker exec "$scanner" sh -c "echo root | nc -q 2 -w 5 $target 79" || true)
echo "${out:-(connection closed by tcpd, nothing answered)}"
