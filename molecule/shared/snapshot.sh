#!/bin/sh
# snapshot.sh OUT: record what check mode must not change: type, mode, owner, size and
# sha256 of every file under /etc, /var/lib, /usr and /boot, the listening sockets and the
# running units. Paths that a daemon rewrites on its own (systemd's timer stamps and random
# seed, CUPS's subscriptions.conf a while after it starts) are left out; nothing else is.
set -eu
out=$1
dirs=""
for d in /etc /var/lib /usr /boot; do [ -d "$d" ] && dirs="$dirs $d"; done
volatile='(/var/lib/systemd/(timers|random-seed|coredump|catalog|linger)|/etc/cups/subscriptions\.conf)'
# shellcheck disable=SC2086
{
  echo "## files"
  find $dirs -xdev -printf '%p %y %m %u %g %s\n' 2>/dev/null | grep -Ev "^$volatile" | LC_ALL=C sort
  echo "## sha256"
  find $dirs -xdev -type f -print0 2>/dev/null | xargs -0 -r sha256sum | grep -Ev "  $volatile" | LC_ALL=C sort -k2
  echo "## listening"
  ss -H -ltnu | awk '{print $1, $5}' | LC_ALL=C sort -u
  echo "## running"
  systemctl list-units --type=service --state=running --no-legend --plain 2>/dev/null | awk '{print $1}' | LC_ALL=C sort
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "$(grep -c . "$out") lines in $out"
