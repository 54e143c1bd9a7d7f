#!/usr/bin/env bash
# Builds the Debian package from the normal build directory (build/, built
# by ci/build.sh default; nothing is compiled again), installs it with
# apt-get, and runs the smoke suite against the installed lockreg with the
# installed lockharness, from an empty directory with no checkout on PATH.
# Then removes the package again (apt-get purge), so the machine is left as
# it was. Meant for CI's throwaway machine (root, or sudo): it refuses to
# run if a lockharness package is already installed.
#   ci/run-package.sh            exit: the suite's (0 all passed, 1, 2)
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if dpkg-query -W -f='${Status}' lockharness 2>/dev/null | grep -q "install ok installed"; then
  echo "run-package: a lockharness package is already installed; not replacing it" >&2
  exit 2
fi

ci/install-deps.sh >/dev/null
ci/build.sh default >/dev/null
rm -rf build/package
cpack --config build/CPackConfig.cmake -B build/package >build/package.log 2>&1 || {
  cat build/package.log; exit 2; }
deb="$(ls build/package/lockharness_*.deb)"
echo "run-package: built $deb ($(du -k "$deb" | cut -f1) KiB)"
dpkg-deb --field "$deb" Package Version Depends Recommends

work="$(mktemp -d /tmp/lockharness-package-XXXXXX)"
cleanup() {
  DEBIAN_FRONTEND=noninteractive $sudo apt-get purge -y -qq lockharness >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# --no-install-recommends: the adapters' runtimes are not needed for the
# smoke suite beyond python3, which the build already installed.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "./$deb" >/dev/null

# As a user of the package would: an empty directory, the system PATH.
cd "$work"
status=0
env -i HOME="$work" PATH=/usr/local/bin:/usr/bin:/bin /usr/bin/lockharness --version
env -i HOME="$work" PATH=/usr/local/bin:/usr/bin:/bin \
  lockharness suite /usr/share/lockharness/scenarios/smoke --impl 'lockreg --file {registry}' \
  --out "$work/runs" --junit "$work/junit.xml" || status=$?
[ -s "$work/junit.xml" ] || { echo "run-package: no junit.xml" >&2; status=2; }
echo "run-package: suite exit $status; $(grep -c '<testcase' "$work/junit.xml" 2>/dev/null || echo 0) test cases in junit.xml; $(( $(date +%s) - started )) s in all"
exit "$status"
