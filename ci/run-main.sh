#!/usr/bin/env bash
# The main job: builds the reference client and the harness, then runs a
# scenario suite (default: scenarios/smoke, about a minute on 2 cores)
# against the reference and prints one line per scenario and the verdict.
# Exit code: 0 every scenario met its expectation, 1 some failed, 2 unknown
# or harness error.
#   ci/run-main.sh [--suite DIR] [--seed S] [--shard K/N] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
suite_dir="scenarios/smoke"
out="runs/main-$(date -u +%Y%m%dT%H%M%SZ)"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suite_dir="$2"; shift 2 ;;
    --seed) extra+=(--seed "$2"); shift 2 ;;
    --shard) extra+=(--shard "$2"); shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "usage: ci/run-main.sh [--suite DIR] [--seed S] [--shard K/N] [--out DIR]" >&2; exit 2 ;;
  esac
done

ci/install-deps.sh
ci/build.sh default --target lockreg lockharness >/dev/null

# Each scenario's run directory holds history.jsonl, results.json,
# report.txt, junit.xml and timeline.html; OUT/junit.xml has them all.
exec build/harness/lockharness suite "$suite_dir" \
  --impl "$PWD/build/protocol/lockreg --file {registry}" --out "$out" "${extra[@]}"
