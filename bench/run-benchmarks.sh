#!/bin/sh
# run-benchmarks.sh: builds the benchmarks (optimised), runs them all and
# renders the report (docs/performance.md explains what each one measures).
#
# Usage: bench/run-benchmarks.sh [--quick] [--out DIR] [--build DIR]
#   --quick      short runs (about 3 minutes instead of about 8): for trying
#                things out, not for numbers anyone quotes
#   --out DIR    where results go (default: results/bench-<UTC date and time>)
#   --build DIR  build directory (default: build-bench), configured Release
#
# Writes into DIR: machine.txt (cores, kernel, load, file systems),
# lock.json, contention.json, contention_disk.json, atomic_write.json,
# checkers.json (Google Benchmark JSON), runner_overhead.txt, and then
# report.md, throughput.svg, latency.svg and fairness.svg rendered from them
# by bench/render_report.py. Exits non-zero if a step fails; the report still
# renders from whatever was measured.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
quick=0
out=""
build="$repo/build-bench"
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    --out=*) out=${1#--out=} ;;
    --build) build=${2:?--build needs a directory}; shift ;;
    --build=*) build=${1#--build=} ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run-benchmarks.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$out" ] || out="$repo/results/bench-$(date -u +%Y%m%d-%H%M%S)"
# Absolute: later steps run from inside $out.
case $build in /*) ;; *) build="$PWD/$build" ;; esac
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The project's own file system: a scratch directory under the results.
disk_dir="$out/scratch"
mkdir -p "$disk_dir"
tmpfs_dir=/dev/shm
if [ ! -d "$tmpfs_dir" ] || [ ! -w "$tmpfs_dir" ]; then
  echo "run-benchmarks.sh: $tmpfs_dir is not a writable directory; using $disk_dir for the tmpfs runs" >&2
  tmpfs_dir=$disk_dir
fi
trap 'rm -rf "$disk_dir"' EXIT
trap 'exit 130' INT TERM  # so the EXIT trap cleans up on a signal too

# Full runs repeat every benchmark 3 times; the report quotes medians (and
# checks every repetition for lost updates).
if [ "$quick" -eq 1 ]; then
  min_time=0.05
  contention_ms=300
  processes=1,2,4,8
  disk_processes=1,8
  reps=1
else
  min_time=0.5
  contention_ms=1000
  processes=1,2,4,8,16,32
  disk_processes=1,2,8
  reps=3
fi

echo "== building in $build"
# Optimised; warnings are not errors here (CI checks them): GCC 12 reports
# false positives at -O3 that -O2 builds do not.
cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLOCKHARNESS_BUILD_BENCH=ON \
  -DLOCKHARNESS_WERROR=OFF >/dev/null
cmake --build "$build" -j2 --target lock_bench contention_bench atomic_write_bench
# The harness's own benchmarks are optional: another part's build failure
# must not stop these measurements (the report then says they did not run).
for optional in checkers_bench lockharness; do
  if cmake --build "$build" --target help | grep -q "^$optional:"; then
    cmake --build "$build" -j2 --target "$optional" || echo "run-benchmarks.sh: $optional did not build" >&2
  fi
done
bin="$build/bench"

machine() {
  echo "date (UTC):      $(date -u '+%Y-%m-%d %H:%M:%S')"
  echo "commit:          $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "nproc:           $(nproc)"
  echo "cpu:             $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
  echo "kernel:          $(uname -r)"
  echo "memory:          $(grep MemTotal /proc/meminfo | awk '{printf "%.1f GiB", $2 / 1048576}')"
  echo "load before:     $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "mode:            $([ "$quick" -eq 1 ] && echo quick || echo full)"
  echo "file systems (df -T):"
  df -T "$tmpfs_dir" "$disk_dir" | sed 's/^/  /'
}
machine >"$out/machine.txt"
cat "$out/machine.txt"

status=0
gbench() {  # gbench NAME OUTPUT.json ARGS...: runs one benchmark binary into JSON
  name=$1
  json=$2
  shift 2
  echo "== $name -> $json"
  if ! "$bin/$name" "$@" --benchmark_out="$out/$json" --benchmark_out_format=json \
    --benchmark_repetitions=$reps; then
    echo "run-benchmarks.sh: $name failed" >&2
    status=1
  fi
  # Google Benchmark records absolute paths (the binary, the scratch
  # directory); a committed report should not carry this machine's layout.
  [ -f "$out/$json" ] && sed -i "s|$repo/||g" "$out/$json"
}

gbench lock_bench lock.json --tmpfs_dir="$tmpfs_dir" --disk_dir="$disk_dir" --benchmark_min_time=$min_time
gbench contention_bench contention.json --dir="$tmpfs_dir" --duration_ms=$contention_ms --processes=$processes
gbench contention_bench contention_disk.json --dir="$disk_dir" --duration_ms=$contention_ms \
  --processes=$disk_processes
gbench atomic_write_bench atomic_write.json --tmpfs_dir="$tmpfs_dir" --disk_dir="$disk_dir" \
  --benchmark_min_time=$min_time
if [ -x "$bin/checkers_bench" ]; then
  reps=1  # it repeats itself (3 iterations of a 1,000,000-operation history)
  gbench checkers_bench checkers.json
else
  echo "== checkers_bench not built: skipped"
fi
if [ -x "$repo/bench/runner_overhead.sh" ] && [ -x "$build/harness/lockharness" ]; then
  echo "== runner_overhead.sh"
  if ! (cd "$out" && "$repo/bench/runner_overhead.sh" "$build/harness/lockharness") >"$out/runner_overhead.txt" 2>&1; then
    echo "run-benchmarks.sh: runner_overhead.sh failed (see runner_overhead.txt)" >&2
    echo "(runner_overhead.sh exited non-zero)" >>"$out/runner_overhead.txt"
    status=1
  fi
  cat "$out/runner_overhead.txt"
else
  echo "== runner_overhead.sh or lockharness missing: skipped"
fi
echo "load after:      $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

/usr/bin/python3 "$repo/bench/render_report.py" "$out"
exit $status
