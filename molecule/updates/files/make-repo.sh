#!/bin/sh
# Build the scenario's local apt repositories (file://, no network) and the dummy packages:
#   /srv/bastion-repo/security  Origin Bastion, Label Bastion-Security, Suite bastion-security
#   /srv/bastion-repo/updates   Origin Bastion, Label Bastion, Suite bastion-updates
# bastion-dummy-sec 1.1 is a security upgrade, bastion-dummy-reg 1.1 an ordinary one (both
# installed at 1.0 by prepare), bastion-dummy-tool 1.0 is installed and downloadable (reinstall).
# Only dpkg-deb and coreutils: a minbase Debian has no apt-ftparchive.
set -eu
root=/srv/bastion-repo
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$root/security" "$root/updates" "$root/installed"

# build NAME VERSION DEST: a package with one /usr/share file (and, for the tool, a program and
# three conffiles).
build() {
  name=$1 version=$2 dest=$3
  dir="$work/$name-$version"
  mkdir -p "$dir/DEBIAN" "$dir/usr/share/$name"
  printf '%s %s data\n' "$name" "$version" >"$dir/usr/share/$name/data.txt"
  if [ "$name" = bastion-dummy-tool ]; then
    mkdir -p "$dir/usr/bin" "$dir/etc/$name" "$dir/etc/cron.d"
    printf '#!/bin/sh\necho %s %s\n' "$name" "$version" >"$dir/usr/bin/$name"
    chmod 0755 "$dir/usr/bin/$name"
    printf 'setting = shipped\n' >"$dir/etc/$name/allowed.conf"
    printf 'setting = shipped\n' >"$dir/etc/$name/plain.conf"
    printf '# %s: nothing scheduled\n' "$name" >"$dir/etc/cron.d/$name"
    printf '/etc/%s/allowed.conf\n/etc/%s/plain.conf\n/etc/cron.d/%s\n' "$name" "$name" "$name" >"$dir/DEBIAN/conffiles"
  fi
  cat >"$dir/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Architecture: all
Maintainer: bastion.hardening maintainers <root@localhost>
Section: misc
Priority: optional
Description: bastion.hardening test package
 A dummy package of the updates scenario.
CONTROL
  dpkg-deb --root-owner-group --build "$dir" "$root/$dest/${name}_${version}_all.deb" >/dev/null
}

# index DIR LABEL SUITE: Packages and an unsigned Release (the source is [trusted=yes]).
index() {
  dir=$root/$1
  : >"$dir/Packages"
  for deb in "$dir"/*.deb; do
    dpkg-deb -f "$deb" >>"$dir/Packages"
    printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "$(basename "$deb")" "$(stat -c %s "$deb")" \
      "$(sha256sum "$deb" | cut -d' ' -f1)" >>"$dir/Packages"
  done
  cat >"$dir/Release" <<RELEASE
Origin: Bastion
Label: $2
Suite: $3
Codename: $3
Date: $(date -u -R)
SHA256:
 $(sha256sum "$dir/Packages" | cut -d' ' -f1) $(stat -c %s "$dir/Packages") Packages
RELEASE
}

build bastion-dummy-sec 1.0 installed
build bastion-dummy-reg 1.0 installed
build bastion-dummy-tool 1.0 installed
build bastion-dummy-sec 1.1 security
build bastion-dummy-reg 1.1 updates
cp "$root/installed/bastion-dummy-tool_1.0_all.deb" "$root/updates/"
index security Bastion-Security bastion-security
index updates Bastion bastion-updates
cat >/etc/apt/sources.list.d/bastion-local.list <<SOURCES
deb [trusted=yes] file:$root/security ./
deb [trusted=yes] file:$root/updates ./
SOURCES
