#!/usr/bin/env bash
# placer_init_test.sh: lockharness-placer --init runs the program as the
# child (PID 2) of a minimal init in its PID namespace, and the placer still
# ends as the program did: its exit status, or death by its signal; the init
# forwards SIGTERM to the program and leaves no orphan behind. Without
# --init the program is PID 1 (a container without an init).
#
#   placer_init_test.sh WORK_DIR
#
# Exit 77 if this machine cannot make the namespaces.
# Environment from CTest: LOCKHARNESS_PLACER.
set -uo pipefail
work="$1"
placer="$LOCKHARNESS_PLACER"
rm -rf "$work"
mkdir -p "$work"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
if ! why="$("$placer" --check --pid-ns 2>&1)"; then
  echo "SKIP: $why"
  exit 77
fi

# shellcheck disable=SC2016  # expanded by the placed shell
got="$("$placer" --init --pid-ns -- sh -c 'echo "$$ $PPID"')" || fail "--init: exit $?"
[ "$got" = "2 1" ] || fail "--init: the program should be PID 2, child of PID 1; got '$got'"
got="$("$placer" --pid-ns -- sh -c 'echo "$$"')" || fail "no --init: exit $?"
[ "$got" = "1" ] || fail "without --init the program should be PID 1; got '$got'"

"$placer" --init --pid-ns -- sh -c 'exit 5'
rc=$?
[ "$rc" -eq 5 ] || fail "--init: the program's exit status 5 became $rc"

# Death by a signal reaches the placer's parent as that signal, not as an
# exit status 137 (python tells the two apart: returncode -9).
got="$(/usr/bin/python3 -c '
import subprocess, sys
print(subprocess.run([sys.argv[1], "--init", "--pid-ns", "--", "sh", "-c", "kill -KILL $$"]).returncode)
' "$placer")"
[ "$got" = "-9" ] || fail "--init: a program killed by SIGKILL should kill the placer with it; returncode $got"

# SIGTERM to the init reaches the program, whose trap answers it.
"$placer" --init --pid-ns -- sh -c "trap 'echo term > \"$work/term\"; exit 9' TERM; sleep 30 & wait" &
placer_pid=$!
init_pid=""
for _ in $(seq 100); do
  init_pid="$(pgrep -P "$placer_pid")" && break
  sleep 0.05
done
[ -n "$init_pid" ] || fail "no init process under the placer"
sleep 0.3  # the program's trap is set
kill -TERM "$init_pid"
wait "$placer_pid"
rc=$?
[ "$rc" -eq 9 ] || fail "SIGTERM forwarded: the program's exit status 9 became $rc"
[ -f "$work/term" ] || fail "the program never saw the SIGTERM sent to its init"

# An orphan the program leaves dies with the namespace.
"$placer" --init --pid-ns -- sh -c "sleep 31 & exit 0" ||
  fail "orphan case: exit $?"
sleep 0.2
if pgrep -f "^sleep 31$" >/dev/null; then
  pkill -f "^sleep 31$"
  fail "the program's orphan outlived the namespace"
fi
echo "ok: --init runs the program as PID 2, forwards SIGTERM, passes its exit status and signal on, and leaves no orphan"
