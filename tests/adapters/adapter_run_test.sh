#!/usr/bin/env bash
# adapter_run_test.sh: one CTest case: a short lockharness run of one
# catalog adapter, asserting lockharness's exit code.
#
#   adapter_run_test.sh NAME MODE EXPECTED_EXIT RUN_DIR [lockharness run flags...]
#
# Probes first: an adapter whose runtime is missing on this machine exits 77
# (CTest SKIP_RETURN_CODE) with the probe's reason, rather than failing.
# Prints the report, and on an unexpected exit the run directory to read.
# Environment from CTest: LOCKHARNESS (binary), LOCKHARNESS_BUILD_DIR, and
# ADAPTER_RUN_LOCKLESS=1 for a library without a lock: concurrent writers
# lose updates and readers may see a file rewritten in place, by design
# (scenarios/known-bugs/ and the conformance matrix measure that), so the
# run has one writer and no reader, and checks that the adapter itself
# works: every checker valid, mutual-exclusion judged without a lock from
# the read-modify-write cycles (EXPECTED_EXIT 0, "no lock recognised"), or,
# for a library that writes in place (no rename delimits a cycle), every
# checker valid but mutual-exclusion, unknown for want of a lock
# (EXPECTED_EXIT 2). The report must say exactly that.
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
writers=(--writers 4)
[ "${ADAPTER_RUN_LOCKLESS:-0}" = 1 ] && writers=(--writers 1 --readers 0)
"$adapters/run.sh" "$name" --mode "$mode" "${writers[@]}" --ops 10 --seed 42 \
  --out "$run_dir" "$@" 2>"$run_dir.stderr"
rc=$?
[ -f "$run_dir/report.txt" ] && cat "$run_dir/report.txt"
if [ "$rc" -ne "$expected" ]; then
  echo "FAIL: $name ($mode): lockharness exited $rc, expected $expected; see $run_dir" >&2
  tail -5 "$run_dir.stderr" >&2
  exit 1
fi
if [ "${ADAPTER_RUN_LOCKLESS:-0}" = 1 ] && [ "$expected" = 0 ]; then
  if ! grep -Eq '^  mutual-exclusion +valid +from observation .*no lock recognised' \
       "$run_dir/report.txt"; then
    echo "FAIL: $name ($mode): expected mutual-exclusion valid from the read-modify-write cycles (no lock); got:" >&2
    grep -E '^  mutual-exclusion ' "$run_dir/report.txt" >&2
    exit 1
  fi
elif [ "${ADAPTER_RUN_LOCKLESS:-0}" = 1 ]; then
  undecided="$(grep -E '^  [a-z-]+ +(invalid|unknown) ' "$run_dir/report.txt")"
  if ! grep -q '^verdict: UNKNOWN' "$run_dir/report.txt" ||
     [ "$(printf '%s\n' "$undecided" | grep -c .)" -ne 1 ] ||
     ! printf '%s\n' "$undecided" | grep -Eq '^  mutual-exclusion +unknown '; then
    echo "FAIL: $name ($mode): expected every checker valid but mutual-exclusion unknown (no lock); got:" >&2
    printf '%s\n' "$undecided" >&2
    exit 1
  fi
fi
echo "ok: $name ($mode): lockharness exited $rc as expected"
