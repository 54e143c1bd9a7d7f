# shellcheck shell=bash
# test_setup.sh: sourced by the adapter tests of this directory.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/test_setup.sh"
#   adapter_test_setup NAME WORK_DIR
#
# Exits 77 (CTest's skip) with the probe's reason unless catalog adapter
# NAME is runnable here; otherwise empties WORK_DIR, sets `adapters` to
# harness/adapters, and defines fail MESSAGE (exit 1, naming WORK_DIR).
adapter_test_setup() {
  local name="$1"
  work="$2"
  adapters="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../harness/adapters" && pwd)"
  local probe
  if ! probe="$("$adapters/probe.sh" "$name")"; then
    echo "skipped: $probe"
    exit 77
  fi
  rm -rf "$work"
  mkdir -p "$work"
}

fail() { echo "FAIL: $1 (see $work)" >&2; exit 1; }
