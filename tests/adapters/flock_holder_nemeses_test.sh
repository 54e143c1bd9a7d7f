#!/usr/bin/env bash
# flock_holder_nemeses_test.sh: kill-holder and pause-holder find and act on
# the holder of a flock(2) lock.
#
#   flock_holder_nemeses_test.sh NAME WORK_DIR [OPS]
#
# A flock-based catalog adapter (python-filelock, python-portalocker,
# shell-flock) publishes no owner record; the holder oracle finds its holder
# in /proc/locks (pid and inode of the lock file), or, when the process that
# took a flock has exited (flock(1) locking its shell's descriptor), in the
# "lock:" lines of the writers' /proc/PID/fdinfo. OPS: operations per writer
# (default 25). Each nemesis must have acted
# (fault-coverage valid, its actions in the report), and the run must still
# be valid: the kernel drops a killed holder's lock, and nobody breaks a
# paused holder's. Exit 77 if the adapter's runtime is missing.
# Environment from CTest: LOCKHARNESS, LOCKHARNESS_BUILD_DIR.
set -uo pipefail
name="$1" ops="${3:-25}"
# shellcheck source=test_setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/test_setup.sh"
adapter_test_setup "$name" "$2"
run() {  # run NAME NEMESIS; prints the exit code
  "$adapters/run.sh" "$name" --mode per-op --writers 4 --ops "$ops" --seed 7 \
    --op-timeout-ms 20000 --nemesis "$2" --out "$work/$1" >/dev/null 2>"$work/$1.stderr"
  echo $?
}

for case in "kill:kill-holder:start_ms=100,interval_ms=250,count=3" \
  "pause:pause-holder:start_ms=100,interval_ms=1200,count=2,duration_ms=800"; do
  label="${case%%:*}"
  nemesis="${case#*:}"
  rc=$(run "$label" "$nemesis")
  report="$work/$label/report.txt"
  [ -f "$report" ] || fail "$label: no report (exit $rc)"
  cat "$report"
  [ "$rc" -eq 0 ] || fail "$label: lockharness exited $rc, expected 0 (valid)"
  grep -Eq '^  fault-coverage +valid' "$report" || fail "$label: ${nemesis%%:*} never acted"
done
echo "ok: kill-holder and pause-holder acted on $name's flock holder; both runs valid"
