#!/bin/sh
# smoke.sh BUILD_BENCH_DIR: runs every benchmark binary once, as briefly as
# it allows, so the benchmarks keep building and running. It asserts nothing
# about timings: only that each binary exits 0 and reports no error.
set -eu
bin=${1:?usage: smoke.sh BUILD_DIR/bench}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/lhbench-smoke.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=$scratch

run() {
  name=$1
  shift
  if [ ! -x "$bin/$name" ]; then
    echo "smoke: $bin/$name not built" >&2
    exit 1
  fi
  echo "smoke: $name"
  "$bin/$name" "$@" --benchmark_format=json >"$scratch/$name.json"
  if grep -q '"error_occurred": true' "$scratch/$name.json"; then
    echo "smoke: $name reported an error:" >&2
    grep -A1 '"error_occurred": true' "$scratch/$name.json" >&2
    exit 1
  fi
}

run lock_bench --tmpfs_dir="$shm" --disk_dir="$scratch" --benchmark_min_time=0.001
run atomic_write_bench --tmpfs_dir="$shm" --disk_dir="$scratch" --benchmark_min_time=0.001 \
  --benchmark_filter='/(1024|65536)/'
run contention_bench --dir="$shm" --duration_ms=50 --processes=1,2
if [ -x "$bin/checkers_bench" ]; then
  # The checker benchmark generates a 1,000,000-operation history; it runs in
  # full in run-benchmarks.sh. Here only a listing, so it is at least linked.
  run checkers_bench --benchmark_list_tests=true
fi
echo "smoke: ok"
