#!/usr/bin/env bash
# procmail-lockfile.sh: the registry guarded by procmail's lockfile(1), as
# its manual page shows (`lockfile important.lock` ... `rm -f
# important.lock`), written to a temp file and renamed with mv.
#
#   harness/adapters/shell/procmail-lockfile.sh --file REGISTRY [--lock-file PATH] OP ARGS...
#
# Per-op mode only. Lock: `lockfile -r 0 LOCK_FILE` (default REGISTRY.lock)
# creates a unique file _<random> beside the lock with O_CREAT|O_EXCL
# (mode 0444), writes "0" into it, link(2)s it to LOCK_FILE and unlinks it:
# no pid, no owner. Without -l a lock is never broken: a dead holder's lock
# blocks everyone for good. With LOCKHARNESS_STALE_MS the adapter passes
# `-l SECONDS` (rounded up), and lockfile removes a lock whose mtime is that
# old, then sleeps its suspend time (16 s by default). lockfile's own retry
# sleeps whole seconds (8 by default), so the script makes one attempt
# every 10 ms for up to LOCKHARNESS_LOCK_WAIT_MS (default 8000; then exit
# 3). Unlock: rm -f LOCK_FILE.
# lockfile is set-group-ID mail; under the interposer it runs through its
# dynamic loader, without that group (observable_command, common.sh).
# Write: mktemp REGISTRY.tmp.<pid>.XXXXXX, the JSON step (python3, fsyncs
# the temp), mv over the registry; no directory fsync. Reads take no lock.
set -uo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

parse_args "$@"
require_commands "$PY" mktemp lockfile
observable_command LOCKFILE_CMD lockfile
if is_read; then
  json_step ""
  exit
fi

timeout_args=()
stale_ms="${LOCKHARNESS_STALE_MS:-}"
if [[ "$stale_ms" =~ ^[0-9]+$ ]] && [ "$stale_ms" -gt 0 ]; then
  timeout_args=(-l "$(((stale_ms + 999) / 1000))")
fi
poll_lock "$LOCK_FILE" "${LOCKFILE_CMD[@]}" -r 0 "${timeout_args[@]}" "$LOCK_FILE" 2>/dev/null
write_under_lock
rc=$?
rm -f -- "$LOCK_FILE" || rc=4
exit "$rc"
