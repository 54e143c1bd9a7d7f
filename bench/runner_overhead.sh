#!/bin/sh
# runner_overhead.sh: measures what the harness itself costs per operation.
#
# Runs `lockharness run` in per-op mode with /bin/true as the implementation
# (it does nothing and exits 0), so each operation's recorded latency is the
# harness's own work (record the invoke, spawn the process in its own group,
# wait for it, record the completion) plus the bare exec of /bin/true.
# Fails if the median per-operation latency, or the wall time per operation
# of a sequential run, exceeds the 2 ms budget.
#
# Usage: bench/runner_overhead.sh [path/to/lockharness] (default build/harness/lockharness)
#        OPS=5000 bench/runner_overhead.sh
set -eu

LOCKHARNESS=${1:-build/harness/lockharness}
OPS=${OPS:-2000}
BUDGET_US=2000
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

measure() {
  writers=$1
  ops_per_writer=$((OPS / writers))
  start=$(date +%s%N)
  # The verdict is irrelevant here (/bin/true changes nothing); only timing.
  "$LOCKHARNESS" run --impl /bin/true --writers "$writers" --ops "$ops_per_writer" \
    --readers 0 --seed 1 --out "$scratch/run-$writers" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  total=$((writers * ops_per_writer))
  wall_us=$(( (end - start) / 1000 / total ))
  p50_us=$(/usr/bin/python3 -c '
import json, sys
ops = json.load(open(sys.argv[1]))["operations"]
print(int(ops["latency_ms"]["p50"] * 1000), int(ops["latency_ms"]["p99"] * 1000), int(ops["ok"]))
' "$scratch/run-$writers/results.json")
  set -- $p50_us
  echo "writers=$writers ops=$total ok=$3: wall ${wall_us} us/op, latency p50 $1 us, p99 $2 us"
  if [ "$3" -ne "$total" ]; then echo "FAIL: not every operation completed ok"; exit 1; fi
  if [ "$writers" -eq 1 ] && [ "$wall_us" -gt "$BUDGET_US" ]; then
    echo "FAIL: sequential wall time per operation above ${BUDGET_US} us"; exit 1
  fi
  if [ "$1" -gt "$BUDGET_US" ]; then echo "FAIL: median latency above ${BUDGET_US} us"; exit 1; fi
}

measure 1
measure 4
echo "OK: harness overhead within ${BUDGET_US} us per operation"
