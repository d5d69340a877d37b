#!/usr/bin/env bash
# Run `molecule test` for each scenario named, with the shared base config, and close with one
# line `N passed, N failed` over the scenarios.
#
# MOLECULE_JOBS (default 2) scenarios run at the same time: a scenario spends much of its time
# waiting (containers booting, daemons starting, clients timing out, the firewall's revert
# timer), so two at a time use the 2 cores better than one. Scenarios never share containers or
# networks (each has its own names and subnet). The whole batch holds /tmp/bastion-molecule.lock,
# so two batches (two checkouts) do not overlap.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
mkdir -p .build/molecule
jobs=${MOLECULE_JOBS:-2}

if [ "${1:-}" = --one ]; then
  # One scenario: its log, and a result line in .build/molecule/<scenario>.result.
  scenario=$2
  log=.build/molecule/$scenario.log
  start=$(date +%s)
  echo "== molecule $scenario: started (log: $log)"
  if molecule -c molecule/shared/base.yml test -s "$scenario" >"$log" 2>&1; then
    echo "passed $(($(date +%s) - start))" >".build/molecule/$scenario.result"
    echo "== molecule $scenario: passed in $(($(date +%s) - start)) s"
  else
    echo "failed $(($(date +%s) - start))" >".build/molecule/$scenario.result"
    echo "== molecule $scenario: FAILED in $(($(date +%s) - start)) s; last lines of $log:"
    tail -n 60 "$log"
  fi
  exit 0
fi

# Longest first, so the batch does not end waiting for one long scenario alone.
order=()
for slow in reliability intrusion_detection; do
  for scenario in "$@"; do [ "$scenario" = "$slow" ] && order+=("$scenario"); done
done
for scenario in "$@"; do
  case " ${order[*]} " in *" $scenario "*) ;; *) order+=("$scenario") ;; esac
done
for scenario in "${order[@]}"; do rm -f ".build/molecule/$scenario.result"; done

exec 9>/tmp/bastion-molecule.lock
flock 9
printf '%s\n' "${order[@]}" | xargs -P "$jobs" -I{} "$0" --one {}

passed=0 failed=0 failures=()
for scenario in "${order[@]}"; do
  if grep -q '^passed' ".build/molecule/$scenario.result" 2>/dev/null; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$scenario")
  fi
done
[ ${#failures[@]} -eq 0 ] || echo "failed scenarios: ${failures[*]}"
echo "molecule: $passed passed, $failed failed" | tee .build/molecule/summary
[ "$failed" -eq 0 ]
