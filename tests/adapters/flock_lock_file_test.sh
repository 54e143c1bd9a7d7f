#!/usr/bin/env bash
# flock_lock_file_test.sh: pins down why the flock-based adapters' catalog
# templates put their lock file in the run directory.
#
#   flock_lock_file_test.sh WORK_DIR
#
# A flock lock file is never deleted (deleting it would let a waiter that
# opened the old file and a newcomer that creates a new one both "hold" the
# lock). Left beside the registry, as a user would put it, the leftovers
# checker counts it as an unexplained leftover: the run is judged invalid
# (exit 1) by that checker alone, while lost-update and mutual-exclusion find
# nothing. This asserts exactly that, so a change to the checker (accepting
# an implementation's persistent lock file) shows up here.
# Environment from CTest: LOCKHARNESS.
set -uo pipefail
work="$1"
adapters="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../harness/adapters" && pwd)"
if ! "$adapters/probe.sh" python-filelock; then
  exit 77
fi
rm -rf "$work"
"$LOCKHARNESS" run --impl "/usr/bin/python3 $adapters/python/filelock_flock.py --file {registry}" \
  --writers 4 --ops 10 --seed 42 --out "$work" 2>/dev/null
rc=$?
cat "$work/report.txt"
report="$work/report.txt"
fail() { echo "FAIL: $1 (see $work)" >&2; exit 1; }
[ "$rc" -eq 1 ] || fail "lockharness exited $rc, expected 1"
grep -Eq '^  leftovers +invalid .*sandboxes\.json\.lock' "$report" || fail "leftovers did not name sandboxes.json.lock"
others="$(grep -E '^  [a-z-]+ +(invalid|unknown)' "$report" | grep -v '^  leftovers ')"
[ -z "$others" ] || fail "other checkers not valid: $others"
echo "ok: only the leftovers checker objects, to the persistent flock lock file"
