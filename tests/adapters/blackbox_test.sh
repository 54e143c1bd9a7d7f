#!/usr/bin/env bash
# blackbox_test.sh: an implementation that does not cooperate is judged by
# observation, not left unknown.
#
#   blackbox_test.sh WORK_DIR
#
# harness/adapters/blackbox/seed-recipe.js is the seed's recipe in Node: it
# prints no lock spans and knows nothing of the harness. The harness must
# decide mutual exclusion from the observed lock spans (valid or invalid:
# the recipe has real races, and which one a run hits depends on the
# interleaving), and a kill-holder nemesis must find the holder
# (fault-coverage valid). The same run with --no-observe must leave mutual
# exclusion unknown: observation is what decides it. Environment from CTest: LOCKHARNESS. Exit 77 without node.
set -uo pipefail
work="$1"
adapters="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../harness/adapters" && pwd)"
command -v node >/dev/null 2>&1 || exit 77
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $1 (see $work)" >&2; exit 1; }
run() {  # run NAME [extra flags...]
  local name="$1"
  shift
  "$LOCKHARNESS" run --impl "node $adapters/blackbox/seed-recipe.js {registry}" \
    --writers 4 --seed 42 --stale-ms 1000 --out "$work/$name" "$@" >/dev/null 2>&1
  echo $?
}

rc=$(run observed --ops 10)
cat "$work/observed/report.txt"
report="$work/observed/report.txt"
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "observed run exited $rc, expected a verdict (0 or 1)"
grep -Eq '^  mutual-exclusion +(valid|invalid) +from observed lock spans' "$report" ||
  fail "mutual-exclusion was not decided from observed lock spans"

# The holder oracle finds the holder from the trace, as soon as its mkdir
# succeeds; a kill before the recipe wrote its owner file leaves a lock it
# never breaks (the recipe's own weakness: progress invalid, and no write
# completes to decide mutual exclusion), so this run asserts the aim only.
rc=$(run nemesis --ops 4 --nemesis kill-holder:start_ms=200,interval_ms=300,count=1)
report="$work/nemesis/report.txt"
cat "$report"
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "kill-holder run exited $rc, expected a verdict (0 or 1)"
grep -Eq '^  fault-coverage +valid' "$report" || fail "kill-holder never found the holder"

rc=$(run unobserved --ops 10 --no-observe)
report="$work/unobserved/report.txt"
grep -Eq '^  mutual-exclusion +unknown' "$report" ||
  fail "without observation mutual-exclusion should be unknown (exit $rc)"
echo "ok: observation decided mutual exclusion of an uninstrumented program and aimed kill-holder; without it, unknown"
