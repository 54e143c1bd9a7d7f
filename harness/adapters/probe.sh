#!/usr/bin/env bash
# probe.sh: says whether each adapter of catalog.json can run here.
#
#   harness/adapters/probe.sh [NAME...]
#
# Prints "NAME: runnable" or "NAME: not runnable: REASON" per adapter (all of
# them if none is named), checking the commands, Python modules and Node
# modules its catalog entry requires, without running it. Exit 0 if all are
# runnable, 2 otherwise. See catalog_tool.py for the environment it reads.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py=/usr/bin/python3
[ -x "$py" ] || py="$(command -v python3 || true)"
if [ -z "$py" ]; then
  for name in "${@:-all}"; do echo "$name: not runnable: python3 not found (needed to read the catalog)"; done
  exit 2
fi
exec "$py" "$here/catalog_tool.py" probe "$@"
