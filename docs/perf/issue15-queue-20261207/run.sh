#!/usr/bin/env bash
# How the files beside this script were made (issue 15, the wait-queue
# experiment): ours, ours-queue and flock side by side in one
# contention_bench invocation at 1, 2, 8 and 32 processes, on tmpfs and on
# the project's disk, ROUNDS invocations each, REPS repetitions per
# configuration within an invocation in random order (so a change of the
# machine's load hits every lock alike), with the load before and after.
#   docs/perf/issue15-queue-20261207/run.sh BUILD_BENCH_DIR DISK_DIR OUT_DIR [ROUNDS [REPS]]
# OUT_DIR/<fs>-round<N>.txt: the benchmark's output; .json: its JSON;
# OUT_DIR/tables.md: bench/tools/contention_table.py of every JSON.
set -euo pipefail
bench="$1/bench/contention_bench"
disk="$2"
out="$3"
rounds="${4:-3}"
reps="${5:-3}"
tools="$(cd "$(dirname "$0")/../../../bench/tools" && pwd)"
mkdir -p "$out" /dev/shm/issue15-queue "$disk"
{ nproc; uname -r; df -T /dev/shm "$disk"; } >"$out/machine.txt"
for round in $(seq 1 "$rounds"); do
  for fs in tmpfs disk; do
    dir=/dev/shm/issue15-queue
    [ "$fs" = disk ] && dir="$disk"
    name="$out/$fs-round$round"
    { echo "before: $(uptime)"
      "$bench" --dir="$dir" --processes=1,2,8,32 --locks=ours,ours-queue,flock --duration_ms=1000 \
        --benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true \
        --benchmark_out="$name.json" --benchmark_out_format=json 2>&1
      echo "after: $(uptime)"
    } >"$name.txt"
  done
done
rmdir /dev/shm/issue15-queue 2>/dev/null || true
for json in "$out"/*.json; do
  echo "## $(basename "$json" .json)"
  echo
  grep -h '^before:\|^after:' "${json%.json}.txt" | sed 's/^/    /'
  echo
  "$tools/contention_table.py" "$json"
  echo
done >"$out/tables.md"
cat "$out/tables.md"
