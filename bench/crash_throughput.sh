#!/bin/sh
# crash_throughput.sh: how fast `lockharness crash` checks crash states
# (issue 11's scale targets; docs/performance.md).
#
# (a) offline: crash states checked for atomicity and durability without
#     running the implementation (--recover-states 0); target >= 10,000/s.
# (b) recovered: distinct crash states on which lockreg's own recovery (a
#     register and a list) also runs; target >= 100/s.
#
# Both figures are the command's own counters and timers from results.json
# (crash.states_checked / crash.offline_seconds, crash.states_recovered /
# crash.recovery_seconds): the recorded workload is not part of either. The
# offline phase is one thread; its CPU time (crash.offline_cpu_seconds) is
# printed too, since on a loaded machine its wall time mostly measures the
# other work; so is the recovery's (crash.recovery_cpu_seconds: the
# harness's and lockreg's processes). Both phases use one thread per core.
# The reference must stay valid; any other verdict fails the script.
#
# Usage: bench/crash_throughput.sh [build dir] (default build)
#        MODEL=ext4-ordered bench/crash_throughput.sh
set -eu

BUILD=${1:-build}
LOCKHARNESS=$BUILD/harness/lockharness
LOCKREG=$(cd "$(dirname "$BUILD/protocol/lockreg")" && pwd)/lockreg
MODEL=${MODEL:-posix}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

rate() {  # results.json, count key, seconds key [, CPU seconds key]
  /usr/bin/python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["crash"]
n, s = c[sys.argv[2]], c[sys.argv[3]]
line = "%d states in %.3f s: %.0f states/s" % (n, s, n / s if s > 0 else 0)
if len(sys.argv) > 4:
    cpu = c[sys.argv[4]]
    line += "; %.3f s of CPU: %.0f states per CPU-second" % (cpu, n / cpu if cpu > 0 else 0)
print(line + " (%d calls, %d crash points, %d distinct states)"
      % (c["calls"], c["crash_points"], c["distinct_states"]))
' "$@"
}

run() {  # name, flags...
  name=$1
  shift
  if ! "$LOCKHARNESS" crash --impl "$LOCKREG --file {registry}" --model "$MODEL" --seed 1 \
      --out "$scratch/$name" "$@" >"$scratch/$name.log" 2>&1; then
    cat "$scratch/$name.log"
    echo "FAIL: the reference was not valid"
    exit 1
  fi
}

echo "load: $(uptime)"
echo "model: $MODEL, cores: $(nproc)"
run offline --writers 4 --ops 25 --states 200000 --recover-states 0
echo "(a) offline (atomicity + durability): $(rate "$scratch/offline/results.json" states_checked offline_seconds offline_cpu_seconds)"
run recovered --writers 4 --ops 25 --states 5000 --recover-states 300
echo "(b) recovered by lockreg: $(rate "$scratch/recovered/results.json" states_recovered recovery_seconds recovery_cpu_seconds)"
echo "load: $(uptime)"
