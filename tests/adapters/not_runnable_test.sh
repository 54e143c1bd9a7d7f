#!/usr/bin/env bash
# not_runnable_test.sh: an adapter whose runtime or library is missing is
# reported "not runnable" (exit 2), never judged valid or invalid.
#
#   not_runnable_test.sh CASE WORK_DIR
#
# CASE:
#   catalog-module   run.sh on a catalog entry needing a Python module that
#                    does not exist: refused by the probe, nothing runs
#   catalog-command  the same for a command that does not exist
#   python-import    lockharness on a Python adapter whose library cannot be
#                    imported (python3 -S hides Debian's dist-packages): the
#                    adapter exits 127, not Python's 1 ("refused")
#   node-require     lockharness on a Node adapter copied away from its
#                    node_modules: the adapter exits 127, not Node's 1
# Environment from CTest: LOCKHARNESS, LOCKHARNESS_BUILD_DIR.
set -uo pipefail
case_name="$1" work="$2"
adapters="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../harness/adapters" && pwd)"
rm -rf "$work"
mkdir -p "$work"

fake_catalog() {
  cat >"$work/catalog.json" <<JSON
{"adapters": [{"name": "fake", "per_op": "/usr/bin/python3 fake.py --file {registry}",
  "worker": null, "requires": $1}]}
JSON
}

case "$case_name" in
  catalog-module)
    fake_catalog '{"commands": [], "python_modules": ["lockharness_no_such_module"], "node_modules": []}'
    output="$(LOCKHARNESS_ADAPTER_CATALOG="$work/catalog.json" "$adapters/run.sh" fake --out "$work/run" 2>&1)"
    rc=$? ;;
  catalog-command)
    fake_catalog '{"commands": ["lockharness-no-such-command"], "python_modules": [], "node_modules": []}'
    output="$(LOCKHARNESS_ADAPTER_CATALOG="$work/catalog.json" "$adapters/run.sh" fake --out "$work/run" 2>&1)"
    rc=$? ;;
  python-import)
    output="$("$LOCKHARNESS" run --impl "/usr/bin/python3 -S $adapters/python/filelock_flock.py --file {registry}" \
      --writers 2 --ops 5 --seed 42 --out "$work/run" 2>&1)"
    rc=$? ;;
  node-require)
    mkdir -p "$work/node/lib"
    cp "$adapters/node/proper-lockfile.js" "$work/node/"
    cp "$adapters/node/lib/driver.js" "$work/node/lib/"
    output="$("$LOCKHARNESS" run --impl "node $work/node/proper-lockfile.js --file {registry}" \
      --writers 2 --ops 5 --seed 42 --out "$work/run" 2>&1)"
    rc=$? ;;
  *) echo "unknown case $case_name" >&2; exit 2 ;;
esac

echo "$output"
if [ "$rc" -ne 2 ] || ! grep -q "not runnable" <<<"$output"; then
  echo "FAIL: $case_name: exit $rc, expected 2 with \"not runnable\" in the output" >&2
  exit 1
fi
echo "ok: $case_name: not runnable, exit 2"
