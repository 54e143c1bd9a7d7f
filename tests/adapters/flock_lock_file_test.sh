#!/usr/bin/env bash
# flock_lock_file_test.sh: the lock file of a flock lock, left beside the
# registry as a user would put it, is not a leftover when the run observed
# it in use.
#
#   flock_lock_file_test.sh WORK_DIR
#
# A flock lock file is never deleted (deleting it would let a waiter that
# opened the old file and a newcomer that creates a new one both "hold" the
# lock). Observed (the default), the trace shows the adapter's flock calls
# on sandboxes.json.lock, and the leftovers checker explains the file: the
# run is valid (exit 0). Unobserved (--no-observe), the catalog's declared
# lock convention (flock) explains it; unobserved and undeclared, nothing
# tells the checker what the file is: it stays an unexplained leftover
# (exit 1, that checker alone). Environment from CTest: LOCKHARNESS.
set -uo pipefail
work="$1"
adapters="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../harness/adapters" && pwd)"
if ! "$adapters/probe.sh" python-filelock; then
  exit 77
fi
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $1 (see $work)" >&2; exit 1; }
run() {  # run NAME [extra flags...]; prints the exit code
  local name="$1"
  shift
  "$LOCKHARNESS" run --impl "/usr/bin/python3 $adapters/python/filelock_flock.py --file {registry}" \
    --writers 4 --ops 10 --seed 42 --out "$work/$name" "$@" >/dev/null 2>&1
  echo $?
}

rc=$(run observed)
report="$work/observed/report.txt"
cat "$report"
[ "$rc" -eq 0 ] || fail "observed run exited $rc, expected 0"
grep -q 'explained leftover: sandboxes.json.lock (lock file of flock/fcntl locks' "$report" ||
  fail "leftovers did not explain sandboxes.json.lock as an observed lock file"

# Unobserved, the catalog's declared convention (flock) explains the file.
rc=$(run unobserved-declared --no-observe)
report="$work/unobserved-declared/report.txt"
[ "$rc" -eq 0 ] || fail "unobserved run of the catalog template exited $rc, expected 0"
grep -q 'explained leftover: sandboxes.json.lock (lock file of the declared flock' "$report" ||
  fail "unobserved: leftovers did not explain sandboxes.json.lock by the declared convention"

# Unobserved and undeclared (a command line that is no catalog template),
# nothing tells the checker what the file is.
impl="/usr/bin/python3 $adapters/python/filelock_flock.py --file {registry} --lock-file={registry}.lock"
"$LOCKHARNESS" run --impl "$impl" --writers 4 --ops 10 --seed 42 --out "$work/unobserved" \
  --no-observe >/dev/null 2>&1
rc=$?
report="$work/unobserved/report.txt"
[ "$rc" -eq 1 ] || fail "unobserved run exited $rc, expected 1"
grep -Eq '^  leftovers +invalid .*sandboxes\.json\.lock' "$report" ||
  fail "unobserved: leftovers did not name sandboxes.json.lock"
others="$(grep -E '^  [a-z-]+ +(invalid|unknown)' "$report" | grep -v '^  leftovers ' |
  grep -v '^  mutual-exclusion +unknown')"
[ -z "$others" ] || fail "unobserved: other checkers not valid: $others"
echo "ok: an observed or declared flock lock file is explained; otherwise it stays a leftover"
