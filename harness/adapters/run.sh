#!/usr/bin/env bash
# run.sh: runs lockharness on one adapter of catalog.json.
#
#   harness/adapters/run.sh NAME [--mode per-op|worker] [lockharness run flags...]
#   harness/adapters/run.sh node-proper-lockfile --mode worker --writers 8 --ops 50
#
# Probes the adapter first: a missing runtime or module is reported as
# "lockharness: implementation not runnable: NAME: REASON" (exit 2) without
# running anything. Otherwise exits with lockharness's code (0 valid,
# 1 invalid, 2 unknown). See catalog_tool.py for the environment it reads
# (LOCKHARNESS_BUILD_DIR for a build directory other than build/).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py=/usr/bin/python3
[ -x "$py" ] || py="$(command -v python3 || true)"
if [ -z "$py" ]; then
  echo "lockharness: implementation not runnable: ${1:-?}: python3 not found (needed to read the catalog)" >&2
  exit 2
fi
exec "$py" "$here/catalog_tool.py" run "$@"
