#!/usr/bin/env bash
# Builds the conformance matrix from scratch: installs the Debian packages
# and the adapters' pinned Node packages, builds, and runs a scenario suite
# (default scenarios/full; well over an hour on 2 cores) against every
# adapter of harness/adapters/catalog.json, writing docs/conformance-matrix.md.
#   ci/run-conformance.sh [--suite DIR] [--adapter NAME]... [--markdown FILE]
#                         [--jobs N] [--shard K/N] [--out DIR]
# --jobs N runs N cells at once. --shard K/N runs one slice of the cells and
# writes no Markdown: join the slices' --out directories with
# `build/harness/lockharness merge DIR... --markdown FILE`.
# An adapter whose packages fail to install is a row "not runnable: reason"
# of the matrix; the rest of the matrix is still run.
set -euo pipefail
cd "$(dirname "$0")/.."
suite="scenarios/full"
markdown="docs/conformance-matrix.md"
out="runs/conformance-$(date -u +%Y%m%dT%H%M%SZ)"
shard=""
extra=()
usage="usage: ci/run-conformance.sh [--suite DIR] [--adapter NAME]... [--markdown FILE] [--jobs N] [--shard K/N] [--out DIR]"
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suite="$2"; shift 2 ;;
    --adapter) extra+=(--adapter "$2"); shift 2 ;;
    --markdown) markdown="$2"; shift 2 ;;
    --jobs) extra+=(--jobs "$2"); shift 2 ;;
    --shard) shard="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
if [ -n "$shard" ]; then
  extra+=(--shard "$shard")
else
  extra+=(--markdown "$markdown")
fi

ci/install-deps.sh
if ! harness/adapters/install.sh; then
  echo "run-conformance: some adapter packages did not install (above); their adapters are" \
       "'not runnable' in the matrix" >&2
fi
ci/build.sh default --target lockreg lockharness >/dev/null
exec build/harness/lockharness conformance --suite "$suite" --out "$out" "${extra[@]}"
