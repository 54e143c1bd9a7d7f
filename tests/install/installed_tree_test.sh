#!/usr/bin/env bash
# The installed tree is complete and finds its own data: --version names the
# prefix's interposer and scenarios, a mixed fleet runs the installed Python
# adapter, an interposer scenario passes against the installed lockreg, the
# adapters' probe finds the installed lockreg, and results.json records the
# version.
#   installed_tree_test.sh BUILD PKGLIBDIR
. "$(dirname "$0")/common.sh"

for f in bin/lockharness bin/lockreg \
         share/lockharness/scenarios/smoke/suite.toml share/lockharness/scenarios/full/suite.toml \
         share/lockharness/adapters/catalog.json share/lockharness/adapters/probe.sh \
         share/lockharness/adapters/python/registry_adapter.py \
         include/lockharness/protocol/registry_store.h; do
  [ -e "$prefix/$f" ] || fail "$f not installed"
done
[ -e "$pkglib/liblockharness_interpose.so" ] || fail "interposer not in $pkglib"
[ -x "$prefix/share/lockharness/adapters/shell/flock.sh" ] || fail "adapter scripts lost their mode"

version="$("$prefix/bin/lockharness" --version)"
echo "$version"
grep -qx "lockharness [0-9][0-9.]*" <<<"$version" || fail "no version line"
grep -q "^commit: " <<<"$version" || fail "no commit line"
grep -q "^fault points: " <<<"$version" || fail "no fault points line"
grep -qx "interposer: yes ($pkglib/liblockharness_interpose.so)" <<<"$version" || fail "interposer not found in the prefix"
grep -qx "layout: installed" <<<"$version" || fail "not seen as installed"
grep -qx "scenarios: $prefix/share/lockharness/scenarios" <<<"$version" || fail "scenarios not in the prefix"

probe="$("$prefix/share/lockharness/adapters/probe.sh" lockreg python-example)" || fail "probe: $probe"
echo "$probe"

smoke="$prefix/share/lockharness/scenarios/smoke"
for scenario in mixed-fleet interposer-kill-on-rename; do
  "$prefix/bin/lockharness" run "$smoke/$scenario.toml" --impl "$prefix/bin/lockreg --file {registry}" \
    --out "$tmp/runs/$scenario" >"$tmp/$scenario.log" 2>&1 || {
      cat "$tmp/$scenario.log"; fail "$scenario did not pass"; }
  grep -q "scenario $scenario: expected valid.*: PASS" "$tmp/$scenario.log" || {
    cat "$tmp/$scenario.log"; fail "$scenario: no PASS line"; }
  grep -q '"lockharness_version": "[0-9]' "$tmp/runs/$scenario/results.json" || fail "$scenario: no version in results.json"
done
# The fleet's "harness/adapters/..." template names no file from this empty
# directory: it passed only because the harness resolved it into the prefix.
# run.json keeps the template as written, so its replay works elsewhere too.
[ ! -e harness ] || fail "the test directory is not empty"
grep -q '"harness/adapters/python/registry_adapter.py' "$tmp/runs/mixed-fleet/run.json" ||
  grep -q ' harness/adapters/python/registry_adapter.py' "$tmp/runs/mixed-fleet/run.json" ||
  fail "run.json does not record the fleet template as written"

# A suite from another version (a key this one does not know) is refused
# with file, line and key.
mkdir "$tmp/newer"
cp "$smoke/suite.toml" "$tmp/newer/"
printf 'expect = "valid"\n[workload]\nwriters = 2\nops = 2\nfuture_key = 1\n' >"$tmp/newer/newer.toml"
status=0
"$prefix/bin/lockharness" suite "$tmp/newer" --impl "$prefix/bin/lockreg --file {registry}" \
  --out "$tmp/runs/newer" >"$tmp/newer.log" 2>&1 || status=$?
cat "$tmp/newer.log"
[ "$status" -eq 2 ] || fail "suite with an unknown key: exit $status, expected 2"
grep -q "$tmp/newer/newer.toml:5:1: unknown key 'future_key' in \[workload\]" "$tmp/newer.log" ||
  fail "unknown key not reported with file, line and key"
echo "PASS"
