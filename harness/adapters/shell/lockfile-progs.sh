#!/usr/bin/env bash
# lockfile-progs.sh: the registry guarded by lockfile-create/lockfile-remove
# from lockfile-progs (liblockfile's NFS-safe dot-lock), written to a temp
# file and renamed with mv.
#
#   harness/adapters/shell/lockfile-progs.sh --file REGISTRY OP ARGS...
#
# Per-op mode only. Lock: `lockfile-create --use-pid --retry 0 REGISTRY`
# makes REGISTRY.lock (a unique temp file link(2)ed to the lock name)
# holding our pid (--use-pid writes the parent's pid: this script's). Its
# own --retry waits 5 s, 10 s, ... between attempts, far too slow for a
# registry, so the script retries a single attempt every 10 ms for up to
# LOCKHARNESS_LOCK_WAIT_MS (default 8000 ms; then exit 3). liblockfile
# treats a lock as stale when its pid is dead, or (whatever the pid) when it
# has not been touched for 5 minutes; that age is fixed in the library, so
# LOCKHARNESS_STALE_MS does not apply. We never run lockfile-touch: an
# operation is far shorter than 5 minutes. lockfile-remove unlinks the lock.
# Write: mktemp REGISTRY.tmp.<pid>.XXXXXX, the JSON step (python3, fsyncs
# the temp), mv over the registry; no directory fsync. Reads take no lock.
set -uo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

parse_args "$@"
require_commands "$PY" mktemp lockfile-create lockfile-remove
if is_read; then
  json_step ""
  exit
fi

poll_lock "$REGISTRY.lock" lockfile-create --quiet --use-pid --retry 0 "$REGISTRY"
write_under_lock
rc=$?
lockfile-remove --quiet "$REGISTRY" || rc=4
exit "$rc"
