#!/usr/bin/env bash
# dotlockfile.sh: the registry guarded by dotlockfile(1) from liblockfile
# (Debian liblockfile-bin), written to a temp file and renamed with mv.
#
#   harness/adapters/shell/dotlockfile.sh --file REGISTRY [--lock-file PATH] OP ARGS...
#
# Per-op mode only. Lock: `dotlockfile -l -p -r 0 LOCK_FILE` (default
# REGISTRY.lock): liblockfile's lockfile_create writes our pid (-p: the
# parent's, this script's) into a unique file .lk<pid><time><host> beside
# the lock, link(2)s it to LOCK_FILE and unlinks it. A lock is stale when
# its pid is dead (checked with kill(pid, 0)), or when it holds no pid and
# is 5 minutes old; that age is fixed in the library (LOCKHARNESS_STALE_MS
# does not apply). dotlockfile's own retry sleeps 5 s, 10 s, ..., so the
# script makes one attempt every 10 ms for up to LOCKHARNESS_LOCK_WAIT_MS
# (default 8000; then exit 3). `dotlockfile -u LOCK_FILE` unlinks it.
# dotlockfile is set-group-ID mail; under the interposer it runs through
# its dynamic loader, without that group (observable_command, common.sh).
# Write: mktemp REGISTRY.tmp.<pid>.XXXXXX, the JSON step (python3, fsyncs
# the temp), mv over the registry; no directory fsync. Reads take no lock.
set -uo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

parse_args "$@"
require_commands "$PY" mktemp dotlockfile
observable_command DOTLOCKFILE dotlockfile
if is_read; then
  json_step ""
  exit
fi

poll_lock "$LOCK_FILE" "${DOTLOCKFILE[@]}" -q -l -p -r 0 "$LOCK_FILE"
write_under_lock
rc=$?
"${DOTLOCKFILE[@]}" -q -u "$LOCK_FILE" || rc=4
exit "$rc"
