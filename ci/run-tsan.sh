#!/usr/bin/env bash
# Builds the harness's unit tests with ThreadSanitizer (preset `tsan`) and
# runs them: nemesis threads, reader threads, the recorder, two-thread
# history parsing and lost-update checking. Not part of .ci/run (CI
# budget); run it after touching harness threads.
#   ci/run-tsan.sh [extra gtest args, e.g. --gtest_filter=Run*]
# Exit 0 when every test passed without a ThreadSanitizer report
# (halt_on_error=1 makes a report fail its test binary), else 1.
set -euo pipefail
cd "$(dirname "$0")/.."
tests=(lockharness_history_test lockharness_checkers_test lockharness_report_test
       lockharness_runner_test lockharness_scenario_test)
cmake --preset tsan -G Ninja >/dev/null
# lockreg and the preload library too: the runner tests drive real processes.
cmake --build --preset tsan -j "$(nproc)" --target "${tests[@]}" lockreg lockharness_interpose
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
failed=()
for t in "${tests[@]}"; do
  echo "== $t"
  if ! build-tsan/harness/"$t" --gtest_brief=1 "$@"; then failed+=("$t"); fi
done
if (( ${#failed[@]} > 0 )); then
  echo "tsan: FAILED: ${failed[*]}"
  exit 1
fi
echo "tsan: all ${#tests[@]} harness unit-test binaries passed"
