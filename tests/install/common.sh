# Shared by the install tests: installs BUILD into a fresh temporary prefix
# and leaves the shell in an empty directory far from the checkout, with a
# PATH that holds no build or checkout directory.
#   . common.sh BUILD PKGLIBDIR   sets $tmp, $prefix, $pkglib; removes $tmp on exit
set -euo pipefail
build="$1"
pkglib_rel="$2"
tmp="$(mktemp -d /tmp/lh-install-test-XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 || {
  cat "$tmp/install.log"; echo "FAIL: cmake --install"; exit 1; }
pkglib="$prefix/$pkglib_rel"
mkdir "$tmp/work"
cd "$tmp/work"
export PATH=/usr/local/bin:/usr/bin:/bin
unset LOCKHARNESS_BUILD_DIR LOCKHARNESS

fail() { echo "FAIL: $*"; exit 1; }
