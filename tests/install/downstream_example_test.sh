#!/usr/bin/env bash
# examples/protocol-consumer builds against the installed reference library
# through find_package(lockharness_protocol CONFIG), and a one-file program
# builds through pkg-config; both take the lock and write a registry.
#   downstream_example_test.sh BUILD PKGLIBDIR EXAMPLE_DIR CXX [LINK_FLAGS]
example="$(cd "$3" && pwd)"
cxx="$4"
link_flags="${5:-}"
. "$(dirname "$0")/common.sh"

cmake -S "$example" -B "$tmp/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_EXE_LINKER_FLAGS="$link_flags" >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; fail "configure"; }
cmake --build "$tmp/consumer" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "build"; }
"$tmp/consumer/register-once" "$tmp/work/reg.json" alpha | grep -q '"name":"alpha"' || fail "register-once (CMake)"
grep -q '"defaultSandbox": "alpha"' "$tmp/work/reg.json" || fail "registry not written"

pcdir="$(dirname "$pkglib")/pkgconfig"
flags="$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs lockharness_protocol)" || fail "pkg-config"
echo "pkg-config: $flags"
# shellcheck disable=SC2086
"$cxx" -std=c++20 "$example/main.cc" -o "$tmp/register-once-pc" $flags $link_flags || fail "build with pkg-config flags"
"$tmp/register-once-pc" "$tmp/work/reg.json" beta | grep -q '"name":"beta"' || fail "register-once (pkg-config)"
echo "PASS"
