#!/usr/bin/env bash
# Runs every test: installs missing packages, builds, runs CTest.
#   ci/run-tests.sh              the normal build (preset "default")
#   ci/run-tests.sh --asan       the AddressSanitizer + UBSan build
set -euo pipefail
cd "$(dirname "$0")/.."
preset=default
[ "${1:-}" = "--asan" ] && preset=asan

ci/install-deps.sh
ci/build.sh "$preset"
# Leak checking is off in forked-and-killed children; ASan still checks memory errors.
# verify_asan_link_order=0: scenarios run the sanitized lockreg under the
# interposer's LD_PRELOAD, which would otherwise precede ASan's runtime and
# make every process exit at start (each operation then looks refused).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0:verify_asan_link_order=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --preset "$preset" -j 2 --timeout 600
