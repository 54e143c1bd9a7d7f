#!/usr/bin/env bash
# noclobber.sh: the registry guarded by the common shell idiom
#   if ( set -o noclobber; echo "$$" > "$lockfile" ) 2>/dev/null; then
#     ...; rm -f "$lockfile"
#   fi
# written to a temp file and renamed with mv.
#
#   harness/adapters/shell/noclobber.sh --file REGISTRY [--lock-file PATH] OP ARGS...
#
# Per-op mode only. Lock: with noclobber, bash opens LOCK_FILE (default
# REGISTRY.lock) with O_WRONLY|O_CREAT|O_EXCL (and refuses at once when it
# exists), so one process creates it; it holds the script's pid, but the
# idiom never reads it: there is no stale detection, and a dead holder's
# lock blocks everyone for good. Waiting: one attempt every 10 ms for up to
# LOCKHARNESS_LOCK_WAIT_MS (default 8000; then exit 3). Unlock: rm -f.
# Write: mktemp REGISTRY.tmp.<pid>.XXXXXX, the JSON step (python3, fsyncs
# the temp), mv over the registry; no directory fsync. Reads take no lock.
set -uo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

parse_args "$@"
require_commands "$PY" mktemp
if is_read; then
  json_step ""
  exit
fi

# The idiom's subshell, without the fork: noclobber on for the one redirection.
try_lock() {
  local rc
  set -o noclobber
  { echo "$$" >"$LOCK_FILE"; } 2>/dev/null
  rc=$?
  set +o noclobber
  return "$rc"
}
poll_lock "$LOCK_FILE" try_lock
write_under_lock
rc=$?
rm -f -- "$LOCK_FILE" || rc=4
exit "$rc"
