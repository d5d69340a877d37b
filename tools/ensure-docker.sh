#!/usr/bin/env bash
# Make sure this machine can build and run the test images: docker.io and mmdebstrap
# installed (and shellcheck, chromium for the sanity and report tests), dockerd running,
# enough inotify instances for a dozen systemd containers.
# Idempotent; needs root. Nothing here relies on what a developer installed by hand.
set -euo pipefail

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
# The report's render test opens the HTML page in headless Chromium.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "ensure-docker: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Prefer Debian's docker client (matches the daemon) over any other docker on PATH.
docker=/usr/bin/docker
[ -x "$docker" ] || docker=$(command -v docker)

if ! "$docker" info >/dev/null 2>&1; then
  echo "ensure-docker: starting dockerd"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl start docker
  else
    nohup dockerd >/var/log/bastion-dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do
    "$docker" info >/dev/null 2>&1 && break
    sleep 0.5
  done
  "$docker" info >/dev/null 2>&1 || { echo "ensure-docker: dockerd did not start, see /var/log/bastion-dockerd.log" >&2; exit 1; }
fi

# Each systemd container takes about 6 inotify instances; the default 128 stops the 22nd.
cur=$(cat /proc/sys/fs/inotify/max_user_instances 2>/dev/null || echo 0)
if [ "$cur" -lt 1024 ] && [ -w /proc/sys/fs/inotify/max_user_instances ]; then
  echo 1024 >/proc/sys/fs/inotify/max_user_instances
fi
