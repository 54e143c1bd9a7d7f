#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang-14, ASan + UBSan, only
# the fuzz targets and the libraries they need) and runs each for a bounded
# time, starting from its committed seed corpus fuzz/corpus/<target>/ (which
# includes the regression inputs of every bug found so far).
#   ci/run-fuzz.sh [SECONDS_PER_TARGET]     (default 30; 8 targets)
#   ci/run-fuzz.sh --ci                     what .ci/run does: a fixed seed
#       and a fixed number of inputs per target (RUNS, default 100000), so
#       the same tree always fuzzes the same inputs: a CI run cannot fail
#       on a finding that the commit before it would have hit too.
# Exit 0 if no target found a crash, hang, leak or memory blow-up; 1 if one
# did (the input is in build-fuzz/artifacts/<target>/; add it to the
# corpus as regression-<what> once fixed).
set -euo pipefail
cd "$(dirname "$0")/.."
ci_mode=0
if [ "${1:-}" = "--ci" ]; then
  ci_mode=1
  shift
fi
seconds="${1:-30}"
runs="${RUNS:-100000}"
targets=(history scenario owner_record registry trace answers fault_spec catalog)

ci/install-deps.sh --fuzz
cmake --preset fuzz -G Ninja >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

failed=()
for target in "${targets[@]}"; do
  # New inputs go to a scratch corpus, never into the committed one.
  work="build-fuzz/corpus/$target"
  # Deterministic: start from the committed corpus alone.
  [ "$ci_mode" -eq 0 ] || rm -rf "$work"
  artifacts="build-fuzz/artifacts/$target/"
  mkdir -p "$work" "$artifacts"
  if [ "$ci_mode" -eq 1 ]; then
    budget=(-seed=1 -runs="$runs")
    echo "== fuzz_$target: $runs inputs, seed 1"
  else
    budget=(-max_total_time="$seconds")
    echo "== fuzz_$target: ${seconds} s"
  fi
  if ! build-fuzz/fuzz/fuzz_"$target" "${budget[@]}" -timeout=10 \
         -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
         -artifact_prefix="$artifacts" "$work" "fuzz/corpus/$target" \
         >"build-fuzz/fuzz_$target.log" 2>&1; then
    failed+=("$target")
    tail -n 40 "build-fuzz/fuzz_$target.log"
  else
    grep -E '^stat::number_of_executed_units|^Done' "build-fuzz/fuzz_$target.log" || true
  fi
done

if (( ${#failed[@]} > 0 )); then
  echo "fuzz: FAILED: ${failed[*]} (inputs in build-fuzz/artifacts/)"
  exit 1
fi
if [ "$ci_mode" -eq 1 ]; then
  echo "fuzz: all ${#targets[@]} targets ran $runs inputs each (seed 1) without a finding"
else
  echo "fuzz: all ${#targets[@]} targets ran ${seconds} s each without a finding"
fi
