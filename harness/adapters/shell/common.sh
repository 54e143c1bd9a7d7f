# common.sh: what the shell adapters share (sourced, not run): argument
# parsing, the registry JSON step and the exit codes. The locking itself
# stays in each adapter script.
#
# JSON is handled by Debian's /usr/bin/python3 (-c, no extra package) with
# the document rules of harness/adapters/python/registry_adapter.py, so the
# shell adapters write the same schema as every other adapter. The JSON step
# of a write runs inside the lock: it reads the registry, applies the
# operation and writes the new document to the temp file the script gave it
# (fsynced); the script then renames it with mv.
#
# Exit codes (as lockreg): 0 done, 1 refused, 2 usage, 3 lock not acquired,
# 4 I/O error (outcome unknown), 5 corrupt registry, 127 a program missing.

PY=/usr/bin/python3
ADAPTERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Lock wait, in seconds with a fraction, and as 10 ms polls.
LOCK_WAIT_MS="${LOCKHARNESS_LOCK_WAIT_MS:-8000}"
[[ "$LOCK_WAIT_MS" =~ ^[0-9]+$ ]] || LOCK_WAIT_MS=8000

# parse_args "$@": sets REGISTRY, LOCK_FILE (default REGISTRY.lock; a
# relative one is relative to the current directory), OP and OP_ARGS.
parse_args() {
  REGISTRY="" LOCK_FILE=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --file) [ $# -ge 2 ] || usage "--file needs a path"; REGISTRY="$2"; shift 2 ;;
      --lock-file) [ $# -ge 2 ] || usage "--lock-file needs a path"; LOCK_FILE="$2"; shift 2 ;;
      --lock-file=*) LOCK_FILE="${1#--lock-file=}"; shift ;;
      *) break ;;
    esac
  done
  [ -n "$REGISTRY" ] && [ $# -ge 1 ] || usage "need --file PATH and an operation"
  REGISTRY="$(realpath -m -- "$REGISTRY")"
  LOCK_FILE="$(realpath -m -- "${LOCK_FILE:-$REGISTRY.lock}")"
  OP="$1"; shift
  OP_ARGS=("$@")
  case "$OP" in
    register|update|remove|set-default|get|list) ;;
    worker) usage "worker mode is not supported by shell adapters" ;;
    *) usage "unknown operation $OP" ;;
  esac
}

usage() {
  echo "${0##*/}: $1" >&2
  echo "usage: ${0##*/} --file PATH [--lock-file PATH] (register NAME [K=V...] | update NAME K=V... | remove NAME | set-default NAME | get NAME | list)" >&2
  exit 2
}

# require_commands CMD...: a missing program exits 127 ("not runnable"),
# never 1, which the harness reads as "refused".
require_commands() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 && continue
    echo "${0##*/}: not runnable: $c not found (run harness/adapters/install.sh)" >&2
    exit 127
  done
}

# observable_command VAR PROGRAM: sets the array VAR to the words that run
# PROGRAM where the interposer can see it. The loader runs a set-user-ID or
# set-group-ID program (dotlockfile and procmail's lockfile are set-group-ID
# mail) in secure mode, which ignores LD_PRELOAD: its lock calls would go
# unobserved. So when LD_PRELOAD is set, such a program is started through
# its own dynamic loader (the ELF interpreter named in its header), which
# honours LD_PRELOAD and runs it with the caller's ids: the mail group is
# needed only for locks in /var/mail, never for a registry the caller can
# write. Without LD_PRELOAD the program runs as installed.
observable_command() {
  local -n words="$1"
  local path loader
  path="$(command -v "$2")" || path="$2"
  words=("$path")
  [ -n "${LD_PRELOAD:-}" ] && [[ -u "$path" || -g "$path" ]] || return 0
  loader="$(head -c 4096 -- "$path" | grep -a -o -m1 '/[[:alnum:]/_.-]*/ld-[[:alnum:]_.-]*[.]so[.0-9]*')"
  [ -x "$loader" ] && words=("$loader" "$path")
  return 0
}

# nap SECONDS: sleeps without starting a process: a read with a timeout
# from a pipe nobody writes to (opened once, on the first nap). A waiting
# writer that ran sleep(1) for each poll would fork and exec 100 times a
# second; sixteen of them took more CPU than the holder got.
nap() {
  [ -n "${NAP_FD:-}" ] || exec {NAP_FD}<> <(:)
  read -r -t "$1" -u "$NAP_FD" _ || true
}

# poll_lock WHAT CMD...: runs CMD (one attempt at the lock) every 10 ms
# until it succeeds, for up to LOCK_WAIT_MS of wall time (EPOCHREALTIME:
# counting attempts would stretch the wait on a loaded machine, where each
# attempt's process start takes long); then exits 3 naming WHAT. For tools
# whose own retry sleeps whole seconds.
poll_lock() {
  local what="$1" now deadline
  shift
  now="${EPOCHREALTIME/./}"
  deadline=$((now + LOCK_WAIT_MS * 1000))
  until "$@"; do
    now="${EPOCHREALTIME/./}"
    if [ "$now" -ge "$deadline" ]; then
      echo "${0##*/}: lock not acquired within ${LOCK_WAIT_MS} ms: $what" >&2
      exit 3
    fi
    nap 0.01
  done
}

is_read() { [ "$OP" = get ] || [ "$OP" = list ]; }

# The JSON step. argv: REGISTRY TEMP_OR_EMPTY OP [ARGS...]. For a write it
# prints the span it ran in ({"lock_acquired_ns":..}, CLOCK_MONOTONIC) on
# stdout; it lies within the lock because the script holds the lock around
# the whole step.
read -r -d '' JSON_STEP <<'PYEOF' || true
import json, os, sys, time
started = time.monotonic_ns()
sys.path.insert(0, os.path.join(os.environ["ADAPTERS_DIR"], "python"))
import registry_adapter as ra
registry_path, temp, op, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]

class TempRegistry(ra.Registry):
    """The example's rules; the new document goes to the script's temp file."""
    def mutate(self, change):
        doc = self.load()
        change(doc)
        with open(temp, "wb") as f:
            f.write((json.dumps(doc, indent=2) + "\n").encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())

registry = TempRegistry(registry_path, 0)
try:
    needs_name = op != "list"
    if (needs_name and not args) or (op == "update" and len(args) < 2):
        raise ValueError("bad operation")
    fields = ra.parse_fields(args[1:]) if op in ("register", "update") else {}
    value = registry.perform(op, args[0] if needs_name else None, fields)
    code = 0
except ra.Refused as e:
    sys.stderr.write("refused: %s\n" % e); value, code = None, 1
except ValueError as e:
    sys.stderr.write("usage: %s\n" % e); sys.exit(2)
except ra.CorruptRegistry as e:
    sys.stderr.write("corrupt registry: %s\n" % e); sys.exit(5)
except OSError as e:
    sys.stderr.write("I/O error: %s\n" % e); sys.exit(4)
if value is not None:
    print(json.dumps(value))
elif os.environ.get("LOCKHARNESS_RUN_DIR") and not os.environ.get("LOCKHARNESS_NO_SPANS"):
    print(json.dumps({"lock_acquired_ns": started, "lock_released_ns": time.monotonic_ns()}))
sys.exit(code)
PYEOF

# json_step TEMP: runs the JSON step for $OP on $REGISTRY (TEMP empty for a read).
json_step() {
  ADAPTERS_DIR="$ADAPTERS_DIR" "$PY" -c "$JSON_STEP" "$REGISTRY" "$1" "$OP" "${OP_ARGS[@]}"
}

# write_under_lock: call with the lock held. Runs the JSON step into a temp
# file beside the registry and renames it over the registry. Returns the
# exit code for the operation.
write_under_lock() {
  local temp rc=0
  temp="$(mktemp -- "$REGISTRY.tmp.$$.XXXXXX")" || return 4
  json_step "$temp" || rc=$?
  if [ "$rc" -eq 0 ]; then
    mv -f -- "$temp" "$REGISTRY" || { rm -f -- "$temp"; return 4; }
  else
    rm -f -- "$temp"
  fi
  return "$rc"
}
