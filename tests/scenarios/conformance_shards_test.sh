#!/usr/bin/env bash
# conformance_shards_test.sh: a tiny conformance matrix run whole (--jobs 2)
# and as two shards (--shard 1/2, 2/2), the shards joined by `lockharness
# merge`: the merged matrix must be the whole run's, cell for cell, and the
# merged JUnit file must have the same suites and cases in the same order
# with the same results. Then merge must refuse a shard given twice, a
# missing shard and a shard of another suite version. Last, one cell alone
# (--adapter and --scenario), and the refusal of an unknown scenario.
#
# The matrix: three adapters (lockreg; lockreg declared per-op only, so its
# worker-mode cell runs in per-op mode and says so; a tool that is not
# installed, whose row is "not runnable") x two small scenarios (per-op and
# worker mode).
#
#   conformance_shards_test.sh LOCKHARNESS LOCKREG WORK_DIR
set -euo pipefail
lh="$1" lockreg="$2" work="$3"
rm -rf "$work"
mkdir -p "$work/suite"

fail() { echo "FAIL: $*" >&2; exit 1; }

cat >"$work/suite/tiny-per-op.toml" <<'TOML'
description = "Two writers, one process per operation."
expect = "valid"
[workload]
mode = "per-op"
writers = 2
ops = 15
seed = 31
[limits]
op_timeout_ms = 10000
run_timeout_ms = 30000
TOML
cat >"$work/suite/tiny-worker.toml" <<'TOML'
description = "Three long-lived workers."
expect = "valid"
[workload]
mode = "worker"
writers = 3
ops = 15
seed = 32
[limits]
op_timeout_ms = 10000
run_timeout_ms = 30000
TOML
cat >"$work/catalog.json" <<JSON
{"adapters": [
  {"name": "lockreg", "per_op": "$lockreg --file {registry}", "worker": "$lockreg --file {registry}",
   "requires": {"commands": ["$lockreg"], "python_modules": [], "node_modules": []}},
  {"name": "lockreg-per-op-only", "per_op": "$lockreg --file {registry}", "worker": null,
   "requires": {"commands": ["$lockreg"], "python_modules": [], "node_modules": []}},
  {"name": "not-installed", "per_op": "lockharness-no-such-tool --file {registry}", "worker": null,
   "requires": {"commands": ["lockharness-no-such-tool"], "python_modules": [], "node_modules": []}}
]}
JSON

conformance() {
  "$lh" conformance --catalog "$work/catalog.json" --suite "$work/suite" "$@"
}
conformance --jobs 2 --out "$work/whole" --markdown "$work/whole.md" >"$work/whole.log" 2>&1 ||
  { cat "$work/whole.log"; fail "unsharded run exited $?"; }
for k in 1 2; do
  conformance --shard "$k/2" --out "$work/shard-$k" >"$work/shard-$k.log" 2>&1 ||
    { cat "$work/shard-$k.log"; fail "shard $k/2 exited $?"; }
done
"$lh" merge "$work/shard-1" "$work/shard-2" --markdown "$work/merged.md" \
  --junit "$work/merged.xml" >"$work/merge.log" 2>&1 || { cat "$work/merge.log"; fail "merge"; }
cat "$work/whole.md"

# The matrix: rows, columns and cells.
table() { grep '^|' "$1"; }
diff <(table "$work/whole.md") <(table "$work/merged.md") || fail "merged matrix differs"
grep -qxF '| `lockreg` | pass | pass |' "$work/merged.md" || fail "lockreg row"
grep -qxF '| `lockreg-per-op-only` | pass | pass (per-op) |' "$work/merged.md" ||
  fail "the per-op-only adapter's worker-mode cell does not show the substitution"
grep -qxF '| `not-installed` | not runnable: lockharness-no-such-tool not found on PATH | |' \
  "$work/merged.md" || fail "not-runnable row"

# JUnit: the same suites and cases, in order, with the same results (the
# checkers' summaries and the times are those of different runs).
structure() {
  grep -o '<testsuite name="[^"]*"\|<testcase classname="[^"]*" name="[^"]*"\|<failure\|<error\|<skipped message="[^"]*"' "$1"
}
diff <(structure "$work/whole/junit.xml") <(structure "$work/merged.xml") ||
  fail "merged JUnit differs"
[ "$(structure "$work/merged.xml" | grep -c '<testsuite')" -eq 6 ] || fail "want 6 JUnit suites"

# Each cell ran in a directory of its own, the substituted one in per-op mode.
for run in lockreg/per-op/tiny-per-op lockreg/worker/tiny-worker \
           lockreg-per-op-only/per-op/tiny-per-op lockreg-per-op-only/per-op/tiny-worker.per-op; do
  [ -f "$work/whole/$run/results.json" ] || fail "no run directory $run"
done
grep -q '"mode": "per-op"' "$work/whole/lockreg-per-op-only/per-op/tiny-worker.per-op/run.json" ||
  fail "substituted cell did not run in per-op mode"

# Refusals, each naming the directory at fault.
expect_refusal() {
  local want="$1"; shift
  if out="$("$lh" merge "$@" 2>&1)"; then fail "merge $* succeeded"; fi
  grep -qF "$want" <<<"$out" || fail "merge $*: want '$want', got: $out"
}
expect_refusal "$work/shard-1: shard 1/2 is also in $work/shard-1: overlapping shards" \
  "$work/shard-1" "$work/shard-2" "$work/shard-1"
expect_refusal "missing shard(s) 2/2: no directory given holds them" "$work/shard-1"
mkdir -p "$work/edited"
sed 's/"suite_version": "[^"]*"/"suite_version": "fnv1a64:0000000000000000"/' \
  "$work/shard-2/conformance.json" >"$work/edited/conformance.json"
expect_refusal "$work/edited: suite version fnv1a64:0000000000000000 differs from" \
  "$work/shard-1" "$work/edited"

# One cell re-run: --adapter and --scenario select it; an unknown name is refused.
conformance --adapter lockreg-per-op-only --scenario tiny-worker --out "$work/one" \
  >"$work/one.log" 2>&1 || { cat "$work/one.log"; fail "single-cell run exited $?"; }
/usr/bin/python3 - "$work/one/conformance.json" <<'PY' || fail "single-cell run: want one cell"
import json, sys
doc = json.load(open(sys.argv[1]))
cells = [(c["adapter"], c["scenario"]) for c in doc["cells"]]
sys.exit(0 if cells == [("lockreg-per-op-only", "tiny-worker")] and doc["scenarios"] == ["tiny-worker"] else 1)
PY
# A run in which no cell ran (an adapter that is not installed) still
# writes its results.
conformance --adapter not-installed --out "$work/nothing-ran" >"$work/nothing-ran.log" 2>&1 ||
  { cat "$work/nothing-ran.log"; fail "a run with no cell run exited $?"; }
[ -f "$work/nothing-ran/conformance.json" ] || fail "a run with no cell run wrote no conformance.json"

# merge --rerun puts it in place of the shards' cell.
"$lh" merge "$work/shard-1" "$work/shard-2" --rerun "$work/one" --markdown "$work/rerun.md" \
  >"$work/rerun.log" 2>&1 || { cat "$work/rerun.log"; fail "merge --rerun"; }
grep -q "6 cells, 1 of them from 1 re-run(s)" "$work/rerun.log" || fail "merge --rerun: $(cat "$work/rerun.log")"
diff <(table "$work/whole.md") <(table "$work/rerun.md") || fail "merge --rerun changed the matrix"
if out="$(conformance --scenario no-such-scenario --out "$work/none" 2>&1)"; then
  fail "an unknown --scenario was accepted"
fi
grep -qF -- "--scenario no-such-scenario: no such scenario in $work/suite" <<<"$out" ||
  fail "unknown --scenario: got: $out"
echo "ok: merged shards give the unsharded matrix; refusals name the directory"
