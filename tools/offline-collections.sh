#!/usr/bin/env bash
# Galaxy is unreachable here: take the collections the project needs out of the `ansible`
# wheel on PyPI (one ~55 MB download, cached) and put them in DEST/ansible_collections.
# This collection itself is linked in as DEST/ansible_collections/bastion/hardening so that
# every run (molecule, ansible-lint, the demo) uses the work tree, not an installed copy.
set -euo pipefail
python=${1:?usage: offline-collections.sh PYTHON DEST}
dest=${2:?usage: offline-collections.sh PYTHON DEST}
root=$(cd "$(dirname "$0")/.." && pwd)
version=12.3.0   # the newest `ansible` release whose ansible-core line (2.19) runs on Python 3.11
collections="community/docker ansible/posix ansible/utils community/general"

cache=${XDG_CACHE_HOME:-$HOME/.cache}/bastion-hardening
wheel="$cache/ansible-$version-py3-none-any.whl"
if [ ! -f "$wheel" ]; then
  mkdir -p "$cache"
  "$python" -m pip download --quiet --no-deps --dest "$cache" "ansible==$version" 2>&1 | sed "/^WARNING: Location/d"
fi

mkdir -p "$dest/ansible_collections/bastion"
patterns=()
for c in $collections; do patterns+=("ansible_collections/$c/*"); done
"$python" - "$wheel" "$dest" "${patterns[@]}" <<'PY'
import fnmatch, sys, zipfile
wheel, dest, *patterns = sys.argv[1:]
with zipfile.ZipFile(wheel) as zf:
    names = [n for n in zf.namelist() if any(fnmatch.fnmatch(n, p) for p in patterns)]
    zf.extractall(dest, names)
print("offline-collections: %d files from %s" % (len(names), wheel.rsplit("/", 1)[-1]))
PY
ln -sfn "$root" "$dest/ansible_collections/bastion/hardening"
