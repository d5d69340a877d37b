#!/usr/bin/env bash
# make ee: check execution-environment.yml without building the image (there is no
# registry to pull the base image from). Builds the collection tarball the EE installs,
# installs ansible-builder 3.2.0 into a throwaway venv (.build/ee-venv, not requirements.txt),
# generates the build context in .build/ee-context and checks what it contains.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/ee-venv
context=.build/ee-context
python=${PYTHON:-python3}

if ! test -x "$venv/bin/ansible-builder"; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check ansible-builder==3.2.0 2>&1 | sed '/^WARNING: Location/d'
fi
"$venv/bin/ansible-builder" --version

# The tarball under the fixed name execution-environment.yml copies into the context.
rm -rf .build/ee "$context"
mkdir -p .build/ee
.venv/bin/ansible-galaxy collection build --output-path .build/ee . >/dev/null
mv .build/ee/bastion-hardening-*.tar.gz .build/ee/bastion-hardening.tar.gz

"$venv/bin/ansible-builder" create -f execution-environment.yml -c "$context" --output-filename Containerfile

fail() {
  echo "ee-check: $*" >&2
  exit 1
}
test -f "$context/Containerfile" || fail "no Containerfile in $context"
test -f "$context/_build/collections/bastion-hardening.tar.gz" || fail "the collection tarball is not in the build context"
grep -q 'collections/bastion-hardening.tar.gz' "$context/_build/requirements.yml" ||
  fail "the galaxy requirements do not name the collection tarball"
grep -q 'ansible-galaxy collection install' "$context/Containerfile" || fail "the Containerfile installs no collection"
grep -q '^FROM registry.access.redhat.com/ubi9/ubi' "$context/Containerfile" ||
  grep -q 'ARG EE_BASE_IMAGE=.*registry.access.redhat.com/ubi9/ubi' "$context/Containerfile" ||
  fail "the Containerfile does not start from the UBI 9 base image"
echo "ee-check: $context/Containerfile generated ($(wc -l <"$context/Containerfile") lines); image not built (no registry here)"
