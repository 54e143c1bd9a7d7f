#!/bin/sh
# observation_overhead.sh: what default observation (the interposer's
# system-call trace) costs lockreg per operation, in per-op and worker mode.
#
# One writer (no contention: the cost of an operation, not of waiting), the
# same seed and operations each time, with and without the trace
# (`--no-observe`: no LD_PRELOAD at all, lockreg uninstrumented). The four
# configurations run in turn, ROUNDS times, so a change in the machine's load
# hits all of them alike; each figure is the median over the rounds of the
# run's median operation latency (results.json) and of its wall time per
# operation. Prints one line per mode with the overhead of observation, and
# exits 1 if worker mode's median latency is more than TARGET_PCT (10) per
# cent above the uninstrumented one.
#
# Usage: bench/observation_overhead.sh [lockharness] [lockreg]
#        (default build/harness/lockharness build/protocol/lockreg)
#        ROUNDS=7 OPS=300 bench/observation_overhead.sh
set -eu

LOCKHARNESS=${1:-build/harness/lockharness}
LOCKREG=${2:-build/protocol/lockreg}
ROUNDS=${ROUNDS:-5}
OPS=${OPS:-300}
TARGET_PCT=${TARGET_PCT:-10}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

round=1
while [ "$round" -le "$ROUNDS" ]; do
  for mode in per-op worker; do
    for observe in off on; do
      flag=""
      [ "$observe" = off ] && flag="--no-observe"
      out="$scratch/$mode-$observe-$round"
      # Only the timing matters here; every operation must have been
      # answered (checked below), whatever the checkers said.
      # shellcheck disable=SC2086
      "$LOCKHARNESS" run --impl "$LOCKREG --file {registry}" --mode "$mode" --writers 1 \
        --ops "$OPS" --readers 0 --seed 1 $flag --out "$out" >/dev/null 2>&1 || true
    done
  done
  round=$((round + 1))
done

/usr/bin/python3 - "$scratch" "$ROUNDS" "$OPS" "$TARGET_PCT" <<'PYEOF'
import json, os, statistics, sys

scratch, rounds, ops, target = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])

def figures(mode, observe):
    p50, wall = [], []
    for r in range(1, rounds + 1):
        report = json.load(open(os.path.join(scratch, "%s-%s-%d" % (mode, observe, r), "results.json")))
        o = report["operations"]
        if o["ok"] + o["fail"] != ops:  # refusals (an unknown name) are normal; no unknown outcome
            sys.exit("FAIL: %s (observation %s) round %d: %d of %d operations answered" %
                     (mode, observe, r, o["ok"] + o["fail"], ops))
        p50.append(o["latency_ms"]["p50"] * 1000)
        wall.append(report["run"]["elapsed_seconds"] * 1e6 / ops)
    return statistics.median(p50), statistics.median(wall)

print("lockreg, 1 writer, %d operations per run, median of %d rounds" % (ops, rounds))
print("%-7s %22s %22s %9s %22s %22s %9s" % ("mode", "p50 uninstrumented us", "p50 observed us", "overhead",
                                            "wall/op uninstr. us", "wall/op observed us", "overhead"))
verdict = 0
for mode in ("per-op", "worker"):
    off_p50, off_wall = figures(mode, "off")
    on_p50, on_wall = figures(mode, "on")
    p50_pct = 100 * (on_p50 - off_p50) / off_p50
    wall_pct = 100 * (on_wall - off_wall) / off_wall
    print("%-7s %22.0f %22.0f %8.1f%% %22.0f %22.0f %8.1f%%" % (mode, off_p50, on_p50, p50_pct,
                                                               off_wall, on_wall, wall_pct))
    if mode == "worker" and p50_pct > target:
        verdict = 1
print("worker mode: observation costs %s %.0f%% of the uninstrumented operation" %
      ("MORE THAN" if verdict else "less than", target))
sys.exit(verdict)
PYEOF
