#!/usr/bin/env bash
# `make test`: every quality gate in order, failing fast, then every molecule scenario.
# Prints the duration, and last the line `N passed, N failed` over the molecule scenarios.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
start=$(date +%s)
finish() {
  local rc=$?
  echo "make test: $(( $(date +%s) - start )) s, exit $rc"
  # The reliability scenario's figures (files compared, bad inputs, faults), when it ran.
  [ -f .build/molecule/reliability.summary ] && cat .build/molecule/reliability.summary
  if [ -f .build/molecule/summary ]; then
    cat .build/molecule/summary
  else
    echo "make test: 0 passed, 1 failed (stopped before molecule)"
  fi
  exit "$rc"
}
trap finish EXIT
rm -f .build/molecule/summary .build/molecule/reliability.summary
gate() {
  local name=$1; shift
  local t
  t=$(date +%s)
  echo "== $name"
  "$@" || { echo "== $name: FAILED"; exit 1; }
  echo "== $name: ok in $(( $(date +%s) - t )) s"
}
gate "docs are generated from argument_specs" make --no-print-directory docs-check
gate yamllint make --no-print-directory yamllint
gate ansible-lint make --no-print-directory ansible-lint
gate ruff make --no-print-directory ruff
gate "ansible-test sanity" make --no-print-directory sanity
gate "ansible-test units" make --no-print-directory units
gate "report render in Chromium" make --no-print-directory report-test
gate "collection build" make --no-print-directory build
gate "execution environment (ansible-builder create)" make --no-print-directory ee
make --no-print-directory molecule
