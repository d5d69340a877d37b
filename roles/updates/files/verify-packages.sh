#!/bin/sh
# PATCH-05: verify the installed package files (bastion.hardening updates role).
#   verify-packages.sh dpkg|debsums
# Patterns come from the environment, one per line: BASTION_WATCH (conffiles whose changes
# count), BASTION_ALLOW (paths never reported). Prints one line per changed or missing file:
#   STATUS TYPE KIND PACKAGE PATH
# STATUS finding | allowed | ignored (a changed conffile not watched), TYPE file | conffile,
# KIND changed | missing. Read-only. Exit 0, or 3 when the tool itself failed.
set -eu
tool=$1
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT

# Conffiles of every package (dpkg 1.20.1 and later may prefix a flag: remove-on-upgrade).
cat /var/lib/dpkg/info/*.conffiles 2>/dev/null | awk 'NF { print $NF }' | sort -u >"$tmp/conffiles"

# matches PATH PATTERNS: PATH matches one of the newline-separated shell patterns.
matches() {
  printf '%s\n' "$2" | {
    while IFS= read -r pattern; do
      [ -n "$pattern" ] || continue
      # shellcheck disable=SC2254
      case $1 in $pattern) exit 0 ;; esac
    done
    exit 1
  }
}

owner() {
  dpkg-query -S -- "$1" 2>/dev/null | grep -v '^diversion by' | head -n 1 | sed 's/: .*//; s/, .*//' || true
}

# classify KIND PATH (dpkg 1.20, Debian 11, reports a missing file as a digest mismatch)
classify() {
  if [ "$1" = changed ] && [ ! -e "$2" ] && [ ! -L "$2" ]; then
    set -- missing "$2"
  fi
  if grep -Fxq -- "$2" "$tmp/conffiles"; then ftype=conffile; else ftype='file'; fi
  if matches "$2" "${BASTION_ALLOW:-}"; then
    status=allowed
  elif [ "$ftype" = conffile ] && ! matches "$2" "${BASTION_WATCH:-}"; then
    status=ignored
  else
    status=finding
  fi
  package=$(owner "$2")
  printf '%s %s %s %s %s\n' "$status" "$ftype" "$1" "${package:-?}" "$2"
}

rc=0
case $tool in
  dpkg)
    # Nine result characters (or 'missing'), an optional attribute, the path.
    dpkg --verify >"$tmp/out" 2>"$tmp/err" || rc=$?
    [ "$rc" -le 1 ] || { cat "$tmp/err" >&2; exit 3; }
    while IFS= read -r line; do
      case $line in
        missing*/*) classify missing "/${line#*/}" ;;
        ?????????\ */*) classify changed "/${line#*/}" ;;
      esac
    done <"$tmp/out"
    ;;
  debsums)
    # -a: conffiles too, -c: changed files on stdout; missing files are reported on stderr.
    debsums -ac >"$tmp/out" 2>"$tmp/err" || rc=$?
    [ "$rc" -le 2 ] || { cat "$tmp/err" >&2; exit 3; }
    while IFS= read -r path; do
      case $path in /*) classify changed "$path" ;; esac
    done <"$tmp/out"
    sed -n 's/^debsums: missing file \(\/.*\) (from .* package)$/\1/p' "$tmp/err" | while IFS= read -r path; do
      classify missing "$path"
    done
    ;;
  *)
    echo "verify-packages.sh: unknown tool $tool" >&2
    exit 2
    ;;
esac
