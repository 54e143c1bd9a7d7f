#!/usr/bin/env bash
# placement_init_test.sh: dotlockfile (liblockfile) placed in containers.
# `dotlockfile -p` refuses to lock when its parent is PID 1 (exit 7,
# "orphaned"), and the adapter script is PID 1 of a container without an
# init: every operation times out waiting (exit 3) and the run is not
# runnable. The catalog entry says `placement_init`, so the catalog's
# template runs under an init (the script is PID 2) and the run is judged.
# Cases:
#   plain  the script through `bash SCRIPT` (no catalog entry matches, no
#          init): lockharness exits 2, "not runnable", the writers' stderr
#          says the lock was never acquired;
#   init   the catalog template: run.json has placement_init, the run is
#          judged valid (no fault), and some write succeeded.
#
#   placement_init_test.sh WORK_DIR
#
# Exit 77 if dotlockfile is missing or the machine cannot place writers.
# Environment from CTest: LOCKHARNESS, LOCKHARNESS_BUILD_DIR.
set -uo pipefail
name=shell-dotlockfile
# shellcheck source=test_setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/test_setup.sh"
adapter_test_setup "$name" "$1"
flags=(--mode per-op --writers 2 --ops 3 --readers 0 --seed 5 --placement pid-namespace)

LOCKHARNESS_LOCK_WAIT_MS=1000 "$LOCKHARNESS" run \
  --impl "bash $adapters/shell/dotlockfile.sh --file {registry}" "${flags[@]}" \
  --out "$work/plain" >"$work/plain.stdout" 2>"$work/plain.stderr"
rc=$?
if grep -q "placement 'pid-namespace' is not available" "$work/plain.stderr"; then
  echo "skipped: $(cat "$work/plain.stderr")"
  exit 77
fi
[ "$rc" -eq 2 ] || fail "plain: lockharness exited $rc, expected 2 (not runnable)"
grep -q "not runnable" "$work/plain.stderr" || fail "plain: not reported as not runnable"
grep -q "lock not acquired" "$work/plain/logs/"writer-*.stderr ||
  fail "plain: the writers' stderr should say the lock was never acquired"

"$adapters/run.sh" "$name" "${flags[@]}" --out "$work/init" >"$work/init.stdout" 2>"$work/init.stderr"
rc=$?
cat "$work/init/report.txt" 2>/dev/null
[ "$rc" -eq 0 ] || fail "init: lockharness exited $rc, expected 0"
/usr/bin/python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])).get("placement_init") is True else 1)' \
  "$work/init/run.json" || fail "init: run.json does not record placement_init"
grep -Eq '^operations: [0-9]+ invoked: [1-9][0-9]* ok' "$work/init/report.txt" ||
  fail "init: no operation succeeded"
echo "ok: dotlockfile as PID 1 of a container is not runnable; under the catalog's placement_init it is judged"
