#!/usr/bin/env bash
# Installs the Debian 12 packages the build and tests need, if any is missing.
# Needs root (or sudo). Safe to run repeatedly: it only calls apt-get when
# something is absent.
#   ci/install-deps.sh [--fuzz]   (--fuzz: also clang-14 and libFuzzer, for ci/run-fuzz.sh)
set -euo pipefail
"$(dirname "$0")/../harness/adapters/install.sh" || echo "install-deps: adapter packages missing; their tests (label adapters) will be skipped" >&2

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libboost-filesystem1.81-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libfiu-dev fiu-utils
  nlohmann-json3-dev libcli11-dev libtomlplusplus-dev
  python3 nodejs procps
  clang-format-14
)
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang-14 libfuzzer-14-dev libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A node from elsewhere on PATH (e.g. a newer one) serves as well as Debian's.
if command -v node >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
fi
read -r -a missing <<<"${missing[*]:-}"
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
