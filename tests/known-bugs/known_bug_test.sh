#!/usr/bin/env bash
# known_bug_test.sh: one CTest case: a scenario of scenarios/known-bugs/
# run against the catalog adapter it names; it passes when the scenario
# meets its expectation (the bug is reproduced: `lockharness run` exits 0).
#
#   known_bug_test.sh SCENARIO_FILE RUN_DIR
#
# An adapter whose runtime is missing here exits 77 (CTest
# SKIP_RETURN_CODE) with the probe's reason. Environment from CTest:
# LOCKHARNESS (binary), LOCKHARNESS_BUILD_DIR.
set -uo pipefail
file="$1" run_dir="$2"
adapters="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../harness/adapters" && pwd)"

adapter="$(sed -n 's/^adapter *= *"\([^"]*\)".*/\1/p' "$file")"
if [ -z "$adapter" ]; then
  echo "FAIL: $file names no adapter" >&2
  exit 1
fi
if ! probe="$("$adapters/probe.sh" "$adapter")"; then
  echo "skipped: $probe"
  exit 77
fi
rm -rf "$run_dir"
mkdir -p "$(dirname "$run_dir")"
"$LOCKHARNESS" run "$file" --out "$run_dir"
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "FAIL: $(basename "$file" .toml) did not reproduce its bug (lockharness exited $rc); see $run_dir" >&2
  exit 1
fi
