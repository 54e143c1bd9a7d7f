#!/usr/bin/env bash
# shell_flock_observed_test.sh: the shell-flock adapter judged from
# observation alone.
#
#   shell_flock_observed_test.sh WORK_DIR
#
# harness/adapters/shell/flock.sh takes its flock with flock(1) on the
# shell's descriptor 9: flock(1) exits at once and the shell's descriptor
# keeps the lock until `flock -u 9`. With its span reporting off
# (LOCKHARNESS_NO_SPANS=1), mutual exclusion must be decided from the
# observed lock spans: valid for the adapter, and invalid for
# tests/adapters/shell/flock_unlock_early.sh, a copy that unlocks before it
# writes. Exit 77 if bash, flock or python3 is missing. Environment from
# CTest: LOCKHARNESS.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=test_setup.sh
source "$here/test_setup.sh"
adapter_test_setup shell-flock "$1"
run() {  # run NAME SCRIPT; prints the exit code
  LOCKHARNESS_NO_SPANS=1 "$LOCKHARNESS" run --impl "$2 --file {registry}" \
    --writers 3 --ops 8 --seed 11 --out "$work/$1" >/dev/null 2>"$work/$1.stderr"
  echo $?
}

rc=$(run correct "$adapters/shell/flock.sh")
report="$work/correct/report.txt"
[ -f "$report" ] || fail "correct: no report (exit $rc)"
cat "$report"
[ "$rc" -eq 0 ] || fail "correct: lockharness exited $rc, expected 0 (valid)"
grep -Eq '^  mutual-exclusion +valid +from observed lock spans' "$report" ||
  fail "correct: mutual-exclusion was not decided valid from observed lock spans"

rc=$(run unlock-early "$here/shell/flock_unlock_early.sh")
report="$work/unlock-early/report.txt"
[ -f "$report" ] || fail "unlock-early: no report (exit $rc)"
cat "$report"
[ "$rc" -eq 1 ] || fail "unlock-early: lockharness exited $rc, expected 1 (invalid)"
grep -Eq '^  mutual-exclusion +invalid +from observed lock spans' "$report" ||
  fail "unlock-early: mutual-exclusion did not catch the write outside the lock"
echo "ok: shell-flock judged from observed spans: the adapter valid, the unlock-before-write copy invalid"
