#!/usr/bin/env bash
# flock_unlock_early.sh: a broken copy of harness/adapters/shell/flock.sh
# that releases its flock (flock -u 9) BEFORE it writes: the write runs
# outside the lock. For tests only: run with LOCKHARNESS_NO_SPANS=1, only
# the observed lock spans can catch it (the JSON step's self-reported span
# would be a lie about a lock it no longer holds).
#
#   tests/adapters/shell/flock_unlock_early.sh --file REGISTRY OP ARGS...
set -uo pipefail
# shellcheck source=../../../harness/adapters/shell/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../../harness/adapters/shell/common.sh"

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
flock -u 9  # the bug: released before the write
write_under_lock
