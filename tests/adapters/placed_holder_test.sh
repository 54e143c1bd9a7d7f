#!/usr/bin/env bash
# placed_holder_test.sh: writers placed in PID namespaces of their own are
# observed, and the holder-directed nemeses find a placed holder from the
# trace alone.
#
#   placed_holder_test.sh WORK_DIR
#
# shell-noclobber takes an O_EXCL lock file and publishes no owner record
# the harness reads: only the trace says who holds it. Each placed writer
# is PID 1 of its namespace; the trace must name processes by their PIDs in
# the harness's namespace (no "pid":1), or it could not tell the writers
# apart. Cases:
#   kill   placement host, kill-holder: acts (found by trace) and the run is
#          invalid, progress: the idiom never breaks a dead holder's lock
#          (an op timeout of 3 s ends the blocked writers' waits early);
#   pause  placement mixed, pause-holder: acts, and the run is valid.
# Exit 77 if the adapter's runtime is missing or the machine cannot place.
# Environment from CTest: LOCKHARNESS, LOCKHARNESS_BUILD_DIR.
set -uo pipefail
name=shell-noclobber
# shellcheck source=test_setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/test_setup.sh"
adapter_test_setup "$name" "$1"
run() {  # run LABEL EXPECTED_RC FLAGS...
  local label="$1" want="$2" rc
  shift 2
  "$adapters/run.sh" "$name" --mode per-op --writers 3 --ops 4 --seed 11 \
    --out "$work/$label" "$@" >/dev/null 2>"$work/$label.stderr"
  rc=$?
  local report="$work/$label/report.txt"
  if [ ! -f "$report" ]; then
    if grep -q "not runnable" "$work/$label.stderr"; then
      echo "skipped: $(cat "$work/$label.stderr")"
      exit 77
    fi
    fail "$label: no report (exit $rc)"
  fi
  cat "$report"
  [ "$rc" -eq "$want" ] || fail "$label: lockharness exited $rc, expected $want"
  grep -Eq '^  fault-coverage +valid' "$report" || fail "$label: the nemesis never acted"
  grep -q "found by trace" "$work/$label/history.jsonl" ||
    fail "$label: the holder was not found by the trace"
  [ -s "$work/$label/trace.jsonl" ] || fail "$label: no trace recorded"
  if grep -q '"pid":1,' "$work/$label/trace.jsonl"; then
    fail "$label: the trace names a process by its PID in its own namespace (pid 1)"
  fi
}

run kill 1 --placement host --op-timeout-ms 3000 \
  --nemesis kill-holder:start_ms=100,interval_ms=250,count=1
grep -Eq '^  progress +invalid' "$work/kill/report.txt" ||
  fail "kill: progress should find the dead holder's lock never taken over"
run pause 0 --placement mixed --op-timeout-ms 20000 \
  --nemesis pause-holder:start_ms=100,interval_ms=1200,count=1,duration_ms=800
echo "ok: placed writers observed; kill-holder and pause-holder found the placed holder by the trace"
