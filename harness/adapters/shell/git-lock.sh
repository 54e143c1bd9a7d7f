#!/usr/bin/env bash
# git-lock.sh: git's lock convention for its config and refs (lockfile.c),
# in shell: the new content is written into REGISTRY.lock, created with
# O_CREAT|O_EXCL, which is then renamed over REGISTRY.
#
#   harness/adapters/shell/git-lock.sh --file REGISTRY OP ARGS...
#
# Per-op mode only. Lock: `set -o noclobber` makes bash create
# REGISTRY.lock with O_WRONLY|O_CREAT|O_EXCL, as git's hold_lock_file does;
# whoever creates it holds the lock. The JSON step writes the new document
# into the lock file itself and fsyncs it; `mv -f REGISTRY.lock REGISTRY`
# (rename(2), git's commit_lock_file) publishes it and releases the lock in
# one step. On a refusal or error the lock file is removed (git's
# rollback_lock_file). No pid, no stale detection: a dead holder's lock
# blocks everyone until removed by hand, as git's "Another git process seems
# to be running" says. git fails at once on an existing lock for config
# (refs retry for 100 ms); the script polls every 10 ms for up to
# LOCKHARNESS_LOCK_WAIT_MS (default 8000; then exit 3), as a script around
# it would. No directory fsync. Reads take no lock. The lock is always
# REGISTRY.lock (--lock-file is refused).
set -uo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

parse_args "$@"
[ "$LOCK_FILE" = "$REGISTRY.lock" ] || usage "the lock file is always REGISTRY.lock in git's convention"
require_commands "$PY" mv
if is_read; then
  json_step ""
  exit
fi

# noclobber on for the one redirection (a subshell would fork per poll).
try_lock() {
  local rc
  set -o noclobber
  { true >"$LOCK_FILE"; } 2>/dev/null
  rc=$?
  set +o noclobber
  return "$rc"
}
poll_lock "$LOCK_FILE" try_lock
rc=0
json_step "$LOCK_FILE" || rc=$?
if [ "$rc" -eq 0 ]; then
  mv -f -- "$LOCK_FILE" "$REGISTRY" || { rm -f -- "$LOCK_FILE"; exit 4; }
else
  rm -f -- "$LOCK_FILE"
fi
exit "$rc"
