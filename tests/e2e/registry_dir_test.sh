#!/usr/bin/env bash
# registry_dir_test.sh: --registry-dir puts the registry in a directory of
# the user's choosing (a real NFS or SMB mount, say). A directory that is
# absent, not empty or not writable is refused before anything runs, and
# nothing in it is touched; a run and a suite write only into their run
# directories and the registry directory.
#
#   registry_dir_test.sh WORK_DIR
# Environment from CTest: LOCKHARNESS, LOCKREG.
set -uo pipefail
work="$1"
rm -rf "$work"
mkdir -p "$work/launch"
work="$(cd "$work" && pwd)"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
impl="$LOCKREG --file {registry}"

# expect_refusal NAME DIR MESSAGE [PREFIX...]: the run exits 2 naming the
# problem, and creates no run directory.
expect_refusal() {
  local name="$1" dir="$2" message="$3"
  shift 3
  local out
  out="$(cd "$work/launch" && "$@" "$LOCKHARNESS" run --impl "$impl" --writers 1 --ops 1 \
    --registry-dir "$dir" --out "$work/run-$name" 2>&1)"
  local rc=$?
  [ "$rc" = 2 ] || fail "$name: exit $rc, expected 2: $out"
  grep -qF -- "$message" <<<"$out" || fail "$name: no '$message' in: $out"
  [ ! -e "$work/run-$name" ] || fail "$name: a run directory was created"
  echo "ok: $name refused: $(grep -F -- "$message" <<<"$out" | head -1)"
}

# Not empty: refused, and its file keeps its bytes and time.
mkdir "$work/full"
echo '{"keep": "me"}' >"$work/full/sandboxes.json"
touch -d '2001-02-03 04:05:06' "$work/full/sandboxes.json" "$work/full"
before="$(ls -la --time-style=full-iso "$work/full"; sha256sum "$work/full/sandboxes.json")"
expect_refusal not-empty "$work/full" "is not empty (it holds sandboxes.json)"
after="$(ls -la --time-style=full-iso "$work/full"; sha256sum "$work/full/sandboxes.json")"
[ "$before" = "$after" ] || fail "not-empty: the directory changed: $before / $after"

expect_refusal absent "$work/absent" "No such file or directory"
[ ! -e "$work/absent" ] || fail "absent: the directory was created"

echo not-a-dir >"$work/file"
expect_refusal not-a-directory "$work/file" "is not a directory"

# Not writable: root writes through permission bits, but not onto a
# read-only mount (in a mount namespace of this test's own).
mkdir "$work/readonly"
if [ "$(id -u)" = 0 ]; then
  expect_refusal not-writable "$work/readonly" "is not writable" \
    unshare --mount sh -c 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"' \
    "$work/readonly"
else
  chmod 555 "$work/readonly"
  expect_refusal not-writable "$work/readonly" "is not writable"
fi
[ -z "$(ls -A "$work/readonly")" ] || fail "not-writable: something was written"

# A run: the registry is in the directory, run.json names it, and the launch
# directory (the harness's cwd) stays empty.
mkdir "$work/shared"
out="$(cd "$work/launch" && "$LOCKHARNESS" run --impl "$impl" --writers 2 --ops 5 --seed 3 \
  --registry-dir "$work/shared" --out "$work/run" 2>&1)"
rc=$?
[ "$rc" = 0 ] || fail "run: exit $rc: $out"
[ -s "$work/shared/sandboxes.json" ] || fail "run: no registry in the registry directory"
[ ! -e "$work/run/registry" ] || fail "run: the run directory has a registry/ too"
grep -qF "\"registry\": \"$work/shared/sandboxes.json\"" "$work/run/run.json" ||
  fail "run: run.json does not name the registry: $(grep registry "$work/run/run.json")"
[ -z "$(ls -A "$work/launch")" ] || fail "run: wrote into its cwd: $(ls -A "$work/launch")"
grep -q -- "--registry-dir $work/shared" "$work/run/report.txt" ||
  fail "run: the replay line has no --registry-dir"
"$LOCKHARNESS" check "$work/run" >/dev/null 2>&1 || fail "check of the run: exit $?"
echo "ok: run with its registry in $work/shared"

# A scenario file accepts it too, and so does a suite: each scenario gets a
# subdirectory of its own.
mkdir -p "$work/suite" "$work/shared-suite"
printf 'expect = "valid"\n[workload]\nwriters = 2\nops = 3\nseed = 5\n' >"$work/suite/tiny.toml"
out="$(cd "$work/launch" && "$LOCKHARNESS" suite "$work/suite" --impl "$impl" \
  --registry-dir "$work/shared-suite" --out "$work/suite-runs" 2>&1)"
rc=$?
[ "$rc" = 0 ] || fail "suite: exit $rc: $out"
[ -s "$work/shared-suite/tiny/sandboxes.json" ] || fail "suite: no registry in DIR/tiny/"
[ -z "$(ls -A "$work/launch")" ] || fail "suite: wrote into its cwd: $(ls -A "$work/launch")"
out="$("$LOCKHARNESS" suite "$work/suite" --impl "$impl" --registry-dir "$work/shared-suite" \
  --out "$work/suite-runs-2" 2>&1)"
rc=$?
[ "$rc" = 2 ] && grep -qF "is not empty" <<<"$out" || fail "suite on a used directory: exit $rc: $out"
echo "ok: suite with its registries in $work/shared-suite"
