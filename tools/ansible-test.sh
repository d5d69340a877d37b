#!/usr/bin/env bash
# Run ansible-test (sanity or units) offline on a copy of the collection laid out as
# .build/ansible-test/ansible_collections/bastion/hardening, as ansible-test requires.
#   tools/ansible-test.sh sanity | units
# ansible-test downloads a pip bootstrap script from a host this machine cannot reach; the
# stand-in written below bootstraps pip with ensurepip and installs from the configured
# index (PyPI) instead. Everything else is ansible-test's own behaviour.
set -euo pipefail
what=${1:?usage: ansible-test.sh sanity|units}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BASTION_VENV:-$root/.venv}/bin
dest=${BASTION_ANSIBLE_TEST_DIR:-$root/.build/ansible-test}/ansible_collections/bastion/hardening

# The stand-in for the pip version this ansible-test wants.
pip_version=$("$bin/python" - <<'PY'
import pathlib, re, ansible_test
src = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
print(re.search(r"pip='([0-9.]+)'", src.read_text()).group(1))
PY
)
cache=$HOME/.ansible/test/cache
standin=$cache/get_pip_${pip_version//./_}.py
if [ ! -f "$standin" ]; then
  mkdir -p "$cache"
  cat >"$standin" <<'PY'
# bastion.hardening tools/ansible-test.sh: offline stand-in for get-pip.py.
# Bootstrap pip with ensurepip in a child process (in-process it would leave
# PIP_CONFIG_FILE=/dev/null behind), then pip-install what ansible-test asked for.
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
PY
fi

# A clean copy: the files git tracks plus the untracked ones it does not ignore.
rm -rf "$dest"
mkdir -p "$dest"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents -P {} "$dest/")
# ansible-test reads git to decide which files belong to the collection.
(cd "$dest" && git init -q && git add -A)

cd "$dest"
case "$what" in
  sanity)
    "$bin/ansible-test" sanity --venv --python 3.11 --color no
    # Modules also run on the targets' own Python (Debian 11 has 3.9): compile and import
    # them there too when that interpreter is on this machine.
    py39=""
    for candidate in python3.9 "$HOME"/.pyenv/versions/3.9*/bin/python3.9; do
      if "$candidate" -V >/dev/null 2>&1; then py39=$(command -v "$candidate"); break; fi
    done
    if [ -n "$py39" ]; then
      PATH=$(dirname "$py39"):$PATH "$bin/ansible-test" sanity --venv --python 3.9 --test compile --test import --color no
    else
      echo "ansible-test: python3.9 not on this machine; compile/import for 3.9 not run"
    fi
    ;;
  units)
    "$bin/ansible-test" units --venv --python 3.11 --color no --requirements
    ;;
  *) echo "ansible-test.sh: unknown command $what" >&2; exit 2 ;;
esac
