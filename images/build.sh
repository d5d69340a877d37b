#!/usr/bin/env bash
# Build one local image from Debian's archive: mmdebstrap -> docker import -> a STOPSIGNAL layer.
#   images/build.sh FLAVOUR DEBIAN_MAJOR      e.g. images/build.sh softtarget 12
# The image is tagged bastion/FLAVOUR:debianN and labelled with a hash of its recipe (this
# script, the flavour's package list and the lists it includes); an image whose label
# matches the current recipe is not rebuilt.
set -euo pipefail

flavour=${1:?usage: build.sh FLAVOUR DEBIAN_MAJOR}
major=${2:?usage: build.sh FLAVOUR DEBIAN_MAJOR}
here=$(cd "$(dirname "$0")" && pwd)
mirror=${BASTION_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${BASTION_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

case "$major" in
  11) suite=bullseye ;;
  12) suite=bookworm ;;
  13) suite=trixie ;;
  *) echo "build.sh: unsupported Debian major version '$major' (11, 12 or 13)" >&2; exit 2 ;;
esac

# Resolve a flavour's package list. A line is 'package [MAJOR ...]' (the package only on
# those Debian versions when any are named), or '@other' to include another flavour.
packages() {
  local f="$here/flavours/$1.pkgs"
  [ -f "$f" ] || { echo "build.sh: no flavour file $f" >&2; exit 2; }
  local line name only
  while read -r line; do
    line=${line%%#*}
    read -r name only <<<"$line" || true
    [ -n "$name" ] || continue
    if [ -n "$only" ] && [[ " $only " != *" $major "* ]]; then continue; fi
    if [ "${name:0:1}" = "@" ]; then packages "${name:1}"; else echo "$name"; fi
  done <"$f"
}
# Files that make up the recipe, for the hash.
recipe_files() {
  local f="$here/flavours/$1.pkgs"
  echo "$f"
  { grep -o '^@[a-z0-9_-]*' "$f" || true; } | while read -r inc; do recipe_files "${inc:1}"; done
}

pkgs=$(packages "$flavour" | sort -u | paste -sd, -)
uses_systemd=false
case ",$pkgs," in *,systemd-sysv,*) uses_systemd=true ;; esac

hash=$( { cat "$0"; echo "$major"; recipe_files "$flavour" | sort -u | xargs cat; } | sha256sum | cut -c1-12)
tag="bastion/$flavour:debian$major"

if [ "$(docker image inspect -f '{{ index .Config.Labels "org.bastion.recipe" }}' "$tag" 2>/dev/null || true)" = "$hash" ]; then
  echo "image $tag is current (recipe $hash)"
  exit 0
fi

echo "building $tag (recipe $hash): $pkgs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# An empty machine-id: systemd makes a new one at each container's first boot. mmdebstrap
# passes the root directory as $1 to the hook, so it must not expand here.
# shellcheck disable=SC2016
machine_id_hook='rm -f "$1/etc/machine-id"; touch "$1/etc/machine-id"'
# Apt lists are kept (--skip=cleanup/apt/lists) so that apt and Ansible's package tasks work
# in a container without first running apt-get update.
mmdebstrap --quiet --variant=minbase --include="$pkgs" \
  --skip=cleanup/apt/lists \
  --customize-hook="$machine_id_hook" \
  "$suite" "$work/rootfs.tar" \
  "deb $mirror $suite main" \
  "deb $mirror $suite-updates main" \
  "deb $security_mirror $suite-security main"

docker import "$work/rootfs.tar" "bastion/$flavour-rootfs:debian$major" >/dev/null

if $uses_systemd; then
  cmd='["/sbin/init"]'
else
  cmd='["sleep", "infinity"]'
fi
cat >"$work/Dockerfile" <<DOCKERFILE
FROM bastion/$flavour-rootfs:debian$major
ENV container=docker
LABEL org.bastion.recipe=$hash org.bastion.flavour=$flavour org.bastion.debian=$major
STOPSIGNAL SIGRTMIN+3
CMD $cmd
DOCKERFILE
DOCKER_BUILDKIT=0 docker build --quiet -t "$tag" -t "bastion/$flavour:debian$major-$hash" "$work" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
docker image rm "bastion/$flavour-rootfs:debian$major" >/dev/null
echo "built $tag"
