#!/usr/bin/env bash
# An installed harness whose interposer library is gone says so once, with
# the path it looked for; scenarios that need the interposer are then not
# runnable (UNKNOWN, never PASS) while the others still pass.
#   missing_interposer_test.sh BUILD PKGLIBDIR
. "$(dirname "$0")/common.sh"

library="$pkglib/liblockharness_interpose.so"
rm "$library"

version="$("$prefix/bin/lockharness" --version)"
grep -qx "interposer: no: interposer library $library not found" <<<"$version" ||
  fail "--version: $version"

smoke="$prefix/share/lockharness/scenarios/smoke"
mkdir "$tmp/suite"
cp "$smoke/suite.toml" "$smoke/rename-eio.toml" "$smoke/interposer-kill-on-rename.toml" \
   "$smoke/contention-2-per-op.toml" "$tmp/suite/"
status=0
"$prefix/bin/lockharness" suite "$tmp/suite" --impl "$prefix/bin/lockreg --file {registry}" \
  --out "$tmp/runs" >"$tmp/out.log" 2>"$tmp/err.log" || status=$?
cat "$tmp/out.log" "$tmp/err.log"
[ "$status" -eq 2 ] || fail "suite exit status $status, expected 2 (unknown)"
[ "$(grep -c "interposer library $library not found" "$tmp/err.log")" -eq 1 ] ||
  fail "the missing library is not reported exactly once on stderr"
for scenario in rename-eio interposer-kill-on-rename; do
  grep -q "^UNKNOWN *$scenario " "$tmp/out.log" || fail "$scenario not UNKNOWN"
  grep -q "^PASS *$scenario " "$tmp/out.log" && fail "$scenario passed without its interposer"
  grep -rq '"status": "not-runnable"' "$tmp/runs/$scenario"*/results.json ||
    fail "$scenario: results.json does not say not-runnable"
done
grep -q "^PASS *contention-2-per-op " "$tmp/out.log" || fail "a scenario without the interposer did not pass"

# A file the loader rejects is reported the same way.
echo "not a library" >"$library"
version="$("$prefix/bin/lockharness" --version)"
grep -q "^interposer: no: interposer library $library cannot be loaded" <<<"$version" ||
  fail "--version with a corrupt library: $version"
echo "PASS"
