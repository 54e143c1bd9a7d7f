#!/usr/bin/env bash
# install.sh: installs what the adapters in catalog.json need, if missing.
#
#   harness/adapters/install.sh
#
# Debian 12 packages through apt-get (root, or sudo), then the pinned Node
# packages with `npm ci` in harness/adapters/node (from its committed
# package-lock.json). Safe to run repeatedly: it only installs what is absent.
# A package that fails to install costs only the adapters that need it: the
# others are still installed, the failures are listed at the end (exit 1),
# and probe.sh reports those adapters "not runnable: reason".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

packages=(
  util-linux lockfile-progs liblockfile-bin procmail
  python3 python3-filelock python3-portalocker python3-atomicwrites
  python3-tinydb python3-fasteners python3-oslo.concurrency
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A node and npm from elsewhere on PATH serve as well as Debian's.
command -v node >/dev/null 2>&1 && missing=("${missing[@]/nodejs}")
command -v npm >/dev/null 2>&1 && missing=("${missing[@]/npm}")
read -r -a missing <<<"${missing[*]:-}"
failed=()
if [ "${#missing[@]}" -gt 0 ]; then
  echo "adapters/install: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  apt_install() { DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"; }
  $sudo apt-get update -qq || echo "adapters/install: apt-get update failed; trying the installs anyway" >&2
  if ! apt_install "${missing[@]}"; then
    # apt-get installs nothing when one package cannot be: each alone, so
    # that only the adapters needing a failed one go without.
    for p in "${missing[@]}"; do apt_install "$p" || failed+=("$p"); done
  fi
else
  echo "adapters/install: Debian packages present"
fi

# npm ci wipes and reinstalls node_modules; skip it when the installed tree
# already matches the lockfile (npm writes node_modules/.package-lock.json).
node_dir="$here/node"
if [ -f "$node_dir/node_modules/.package-lock.json" ] &&
   [ "$node_dir/node_modules/.package-lock.json" -nt "$node_dir/package-lock.json" ]; then
  echo "adapters/install: node packages present"
else
  echo "adapters/install: npm ci in $node_dir"
  (cd "$node_dir" && npm ci --no-audit --no-fund) || failed+=("the Node packages (npm ci in $node_dir)")
fi

if [ "${#failed[@]}" -gt 0 ]; then
  list=""
  for f in "${failed[@]}"; do list="${list:+$list, }$f"; done
  echo "adapters/install: could not install: $list." \
       "The adapters that need them are 'not runnable' (harness/adapters/probe.sh names them)." >&2
  exit 1
fi
