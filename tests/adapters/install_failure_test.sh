#!/usr/bin/env bash
# install_failure_test.sh: harness/adapters/install.sh when packages fail to
# install. apt-get installs nothing if one package of a batch cannot be
# installed, so install.sh must retry the packages one by one, go on to the
# Node packages, and exit 1 naming every failure (their adapters are then
# "not runnable" in the probe and the conformance matrix). apt-get, npm,
# dpkg-query and id are stubs on PATH: nothing is installed.
#
#   install_failure_test.sh WORK_DIR
set -uo pipefail
work="$1"
adapters="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../harness/adapters" && pwd)"
rm -rf "$work"
mkdir -p "$work/adapters/node" "$work/bin"
cp "$adapters/install.sh" "$work/adapters/"
echo '{}' >"$work/adapters/node/package-lock.json"

stub() { printf '#!/bin/sh\n%s\n' "$2" >"$work/bin/$1"; chmod +x "$work/bin/$1"; }
stub dpkg-query 'echo "unknown ok not-installed"'
stub id 'echo 0'
# Every install fails while lockfile-progs is among its packages.
stub apt-get "echo \"apt-get \$*\" >>'$work/apt.log'
case \" \$* \" in *' update '*) exit 0;; *' lockfile-progs '*) exit 100;; esac
exit 0"
stub npm "echo 'npm ERR! network' >&2; exit 1"

PATH="$work/bin:$PATH" "$work/adapters/install.sh" >"$work/out.log" 2>&1
rc=$?
cat "$work/out.log" "$work/apt.log"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$rc" -eq 1 ] || fail "exit $rc, want 1"
grep -q "could not install: lockfile-progs, the Node packages (npm ci in " "$work/out.log" ||
  fail "the failures are not named"
# The others were installed one by one after the batch failed.
grep -qx "apt-get install -y -qq --no-install-recommends python3-filelock" "$work/apt.log" ||
  fail "python3-filelock was not retried alone"
[ "$(grep -c '^apt-get install' "$work/apt.log")" -gt 2 ] || fail "no retry one by one"
echo "ok: failures named, the rest installed, exit 1"
