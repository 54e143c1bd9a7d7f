#!/usr/bin/env bash
# Builds the conformance matrix from scratch: installs the Debian packages
# and the adapters' pinned Node packages, builds, and runs a scenario suite
# (default scenarios/full; well over an hour on 2 cores) against every
# adapter of harness/adapters/catalog.json, writing docs/conformance-matrix.md.
#   ci/run-conformance.sh [--suite DIR] [--adapter NAME]... [--markdown FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
suite="scenarios/full"
markdown="docs/conformance-matrix.md"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suite="$2"; shift 2 ;;
    --adapter) extra+=(--adapter "$2"); shift 2 ;;
    --markdown) markdown="$2"; shift 2 ;;
    *) echo "usage: ci/run-conformance.sh [--suite DIR] [--adapter NAME]... [--markdown FILE]" >&2; exit 2 ;;
  esac
done

ci/install-deps.sh
harness/adapters/install.sh
ci/build.sh default --target lockreg lockharness >/dev/null
exec build/harness/lockharness conformance --suite "$suite" --markdown "$markdown" \
  --out "runs/conformance-$(date -u +%Y%m%dT%H%M%SZ)" "${extra[@]}"
