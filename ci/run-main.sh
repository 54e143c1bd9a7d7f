#!/usr/bin/env bash
# The main job: builds the reference client and the harness, then runs a
# small suite of workloads against the reference and prints the verdicts.
# Exit code: 0 all valid, 1 some invalid, 2 unknown or harness error.
#   ci/run-main.sh [--seed S] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
seed="${LOCKHARNESS_SEED:-$(( (RANDOM << 15) | RANDOM ))}"
out="runs/main-$(date -u +%Y%m%dT%H%M%SZ)"
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "usage: ci/run-main.sh [--seed S] [--out DIR]" >&2; exit 2 ;;
  esac
done

ci/install-deps.sh
ci/build.sh default --target lockreg lockharness >/dev/null

lockreg="$PWD/build/protocol/lockreg"
mkdir -p "$out"
# name | lock deadline (ms) | harness arguments. With 64 writers queueing
# for one lock, a waiter's turn can take seconds: give it room, so that
# waiting shows up in the latency figures, not as refusals.
suite=(
  "per-op-8x40-readers   10000 --mode per-op --writers 8  --ops 40  --readers 2"
  "worker-16x150-readers 10000 --mode worker --writers 16 --ops 150 --readers 2"
  "worker-64x30          60000 --mode worker --writers 64 --ops 30  --readers 1 --op-timeout-ms 70000"
)
worst=0
summary=()
for entry in "${suite[@]}"; do
  read -r name deadline args <<<"$entry"
  echo "=== $name (seed $seed)"
  set +e
  # shellcheck disable=SC2086
  build/harness/lockharness run --impl "$lockreg --file {registry} --timeout-ms $deadline" $args \
    --seed "$seed" --out "$out/$name"
  rc=$?
  set -e
  case $rc in 0) verdict=valid ;; 1) verdict=INVALID ;; *) verdict=UNKNOWN ;; esac
  summary+=("$(printf '%-24s %s' "$name" "$verdict")")
  [ $rc -gt $worst ] && worst=$rc
done
echo
echo "=== Suite verdict (seed $seed; runs in $out, each with results.json, report.txt, junit.xml, timeline.html)"
printf '%s\n' "${summary[@]}"
case $worst in 0) echo "ALL VALID" ;; 1) echo "SOME INVALID" ;; *) echo "UNKNOWN" ;; esac
exit $worst
