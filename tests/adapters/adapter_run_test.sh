#!/usr/bin/env bash
# adapter_run_test.sh: one CTest case: a short lockharness run of one
# catalog adapter, asserting lockharness's exit code.
#
#   adapter_run_test.sh NAME MODE EXPECTED_EXIT RUN_DIR [lockharness run flags...]
#
# Probes first: an adapter whose runtime is missing on this machine exits 77
# (CTest SKIP_RETURN_CODE) with the probe's reason, rather than failing.
# Prints the report, and on an unexpected exit the run directory to read.
# Environment from CTest: LOCKHARNESS (binary), LOCKHARNESS_BUILD_DIR.
set -uo pipefail
name="$1" mode="$2" expected="$3" run_dir="$4"
shift 4
adapters="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../harness/adapters" && pwd)"

probe="$("$adapters/probe.sh" "$name")"
if [ $? -ne 0 ]; then
  echo "skipped: $probe"
  exit 77
fi
rm -rf "$run_dir"
mkdir -p "$(dirname "$run_dir")"
"$adapters/run.sh" "$name" --mode "$mode" --writers 4 --ops 10 --seed 42 \
  --out "$run_dir" "$@" 2>"$run_dir.stderr"
rc=$?
[ -f "$run_dir/report.txt" ] && cat "$run_dir/report.txt"
if [ "$rc" -ne "$expected" ]; then
  echo "FAIL: $name ($mode): lockharness exited $rc, expected $expected; see $run_dir" >&2
  tail -5 "$run_dir.stderr" >&2
  exit 1
fi
echo "ok: $name ($mode): lockharness exited $rc as expected"
