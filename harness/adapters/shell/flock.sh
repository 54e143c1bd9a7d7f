#!/usr/bin/env bash
# flock.sh: the registry guarded by flock(1) from util-linux, written to a
# temp file and renamed with mv: the classic shell idiom.
#
#   harness/adapters/shell/flock.sh --file REGISTRY [--lock-file PATH] OP ARGS...
#
# Per-op mode only (one process per operation). Lock: the script opens
# LOCK_FILE (default REGISTRY.lock) on descriptor 9 and runs
# `flock -w WAIT 9` (WAIT = LOCKHARNESS_LOCK_WAIT_MS, default 8000 ms; then
# exit 3). The kernel drops the lock when the holder dies, so there is no
# stale threshold; the lock file is never deleted (deleting it would race
# with waiters) and stays beside the registry. Write: mktemp
# REGISTRY.tmp.<pid>.XXXXXX, the JSON step (python3, fsyncs the temp), mv
# over the registry (rename(2)); no directory fsync. Reads (get, list) take
# no lock. Exit codes: see common.sh.
set -uo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

parse_args "$@"
require_commands "$PY" mktemp flock
if is_read; then
  json_step ""
  exit
fi

exec 9>>"$LOCK_FILE" || exit 4
wait_s="$((LOCK_WAIT_MS / 1000)).$(printf '%03d' $((LOCK_WAIT_MS % 1000)))"
if ! flock -w "$wait_s" 9; then
  echo "${0##*/}: lock not acquired within ${LOCK_WAIT_MS} ms: $LOCK_FILE" >&2
  exit 3
fi
write_under_lock
rc=$?
flock -u 9
exit "$rc"
