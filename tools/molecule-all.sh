#!/usr/bin/env bash
# Run `molecule test` for each scenario named (one at a time: they share 2 cores), with the
# shared base config, and close with one line `N passed, N failed` over the scenarios.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
mkdir -p .build/molecule
passed=0 failed=0 failures=()
for scenario in "$@"; do
  log=.build/molecule/$scenario.log
  start=$(date +%s)
  echo "== molecule $scenario (log: $log)"
  # One scenario at a time on this machine, also across checkouts (2 cores, one docker).
  if flock /tmp/bastion-molecule.lock molecule -c molecule/shared/base.yml test -s "$scenario" >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "== molecule $scenario: passed in $(( $(date +%s) - start )) s"
  else
    failed=$((failed + 1))
    failures+=("$scenario")
    echo "== molecule $scenario: FAILED in $(( $(date +%s) - start )) s; last lines of $log:"
    tail -n 60 "$log"
  fi
done
[ ${#failures[@]} -eq 0 ] || echo "failed scenarios: ${failures[*]}"
echo "molecule: $passed passed, $failed failed" | tee .build/molecule/summary
[ "$failed" -eq 0 ]
