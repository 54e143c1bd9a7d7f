#!/usr/bin/env bash
# same_verdicts_test.sh: an adapter judged from observation alone gets the
# verdicts it gets when it reports its own lock spans.
#
#   same_verdicts_test.sh NAME WORK_DIR [SCENARIO...]
#
# Runs a few smoke scenarios (default: two-writer and eight-worker
# contention, a killed holder, a paused holder) against catalog adapter NAME
# twice: as is, and with LOCKHARNESS_NO_SPANS=1, the switch that turns span
# reporting off in every in-tree adapter. The scenario lines (PASS / FAIL /
# UNKNOWN) and every checker's verdict must be the same in both runs; the
# one checker that exists only with reported spans (claimed-lock-spans, the
# cross-check of reported against observed spans) must be valid where it
# ran. The spans run must have recorded spans and the other none: otherwise
# the comparison would prove nothing. A scenario whose run hit its run
# timeout in either run (a machine too loaded for its time budget) is left
# out of the comparison, and said so. Exit 77 if the adapter's runtime is
# missing or fewer than two scenarios could be compared. Environment from CTest: LOCKHARNESS, LOCKHARNESS_BUILD_DIR.
set -uo pipefail
name="$1" work="$2"
shift 2
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] ||
  scenarios=(contention-2-per-op contention-8-worker kill-holder pause-holder-past-stale)
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
adapters="$root/harness/adapters"
if ! probe="$("$adapters/probe.sh" "$name")"; then
  echo "skipped: $probe"
  exit 77
fi
template="$(/usr/bin/python3 "$adapters/catalog_tool.py" template "$name" per-op)" ||
  { echo "FAIL: no per-op template for $name" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work/suite"
for s in "${scenarios[@]}"; do cp "$root/scenarios/smoke/$s.toml" "$work/suite/" || exit 1; done

start=$(date +%s)
"$LOCKHARNESS" suite "$work/suite" --impl "$template" --out "$work/spans" >"$work/spans.txt" 2>&1
LOCKHARNESS_NO_SPANS=1 "$LOCKHARNESS" suite "$work/suite" --impl "$template" \
  --out "$work/no-spans" >"$work/no-spans.txt" 2>&1
cat "$work/spans.txt" "$work/no-spans.txt"

/usr/bin/python3 - "$work" <<'PYEOF'
import json, os, re, sys

work = sys.argv[1]
ONLY_WITH_SPANS = {"claimed-lock-spans"}

def lines(run):
    """scenario -> PASS/FAIL/UNKNOWN, from the suite's output."""
    out = {}
    for line in open(os.path.join(work, run + ".txt")):
        m = re.match(r"^(PASS|FAIL|UNKNOWN)\s+(\S+)", line)
        if m:
            out[m.group(2)] = m.group(1)
    return out

def verdicts(run):
    """run directory -> {checker: verdict}, the number of spans in its
    history, and the runs cut short by their run timeout."""
    out, spans, cut = {}, {}, set()
    base = os.path.join(work, run)
    for d in sorted(os.listdir(base)):
        results = os.path.join(base, d, "results.json")
        if not os.path.isfile(results):
            continue
        report = json.load(open(results))
        out[d] = {c["checker"]: c["verdict"] for c in report.get("checkers", [])}
        if report.get("run", {}).get("status") == "interrupted":
            cut.add(d)
        n = 0
        history = os.path.join(base, d, "history.jsonl")
        if os.path.isfile(history):
            n = sum(1 for line in open(history) if '"lock_acquired"' in line)
        spans[d] = n
    return out, spans, cut

problems = []
on_lines, off_lines = lines("spans"), lines("no-spans")
on, on_spans, on_cut = verdicts("spans")
off, off_spans, off_cut = verdicts("no-spans")
# A run its run timeout cut short (a machine too loaded for the scenario's
# time budget) is unknown whatever the spans: it cannot be compared.
cut = on_cut | off_cut
for d in sorted(cut):
    print("not compared: %s hit its run timeout (machine too loaded?)" % d)
    for m in (on_lines, off_lines, on, off):
        m.pop(d, None)
if not on_lines and not cut:
    problems.append("the suite printed no scenario line")
if on_lines != off_lines:
    problems.append("scenario lines differ: with spans %s, without %s" % (on_lines, off_lines))
if sorted(on) != sorted(off):
    problems.append("run directories differ: %s vs %s" % (sorted(on), sorted(off)))
for d in sorted(set(on) & set(off)):
    for checker in sorted(set(on[d]) | set(off[d])):
        a, b = on[d].get(checker), off[d].get(checker)
        if checker in ONLY_WITH_SPANS:
            if a is not None and a != "valid":
                problems.append("%s: %s is %s with spans" % (d, checker, a))
            continue
        if a != b:
            problems.append("%s: %s is %s with spans, %s without" % (d, checker, a, b))
    if off_spans[d] != 0:
        problems.append("%s: %d spans recorded with LOCKHARNESS_NO_SPANS=1" % (d, off_spans[d]))
if len(on) < 2:
    print("fewer than two scenarios could be compared", file=sys.stderr)
    sys.exit(77)
if sum(on_spans.get(d, 0) for d in on) == 0:
    problems.append("no run recorded a reported span: the switch was not exercised")
for d in sorted(on):
    print("%-32s %s" % (d, ", ".join("%s %s" % kv for kv in sorted(on[d].items()))))
if problems:
    print("\n".join("FAIL: " + p for p in problems), file=sys.stderr)
    sys.exit(1)
PYEOF
rc=$?
echo "($name: both suite runs took $(($(date +%s) - start)) s)"
[ "$rc" -eq 77 ] && { echo "skipped: too few runs finished within their run timeout"; exit 77; }
[ "$rc" -eq 0 ] || { echo "FAIL: $name: verdicts differ with and without spans; see $work" >&2; exit 1; }
echo "ok: $name gets the same verdicts with and without its own lock spans"
