#!/usr/bin/env bash
# Configures and builds one CMake preset: default (RelWithDebInfo) or asan.
#   ci/build.sh [default|asan] [extra cmake --build args, e.g. --target lockreg]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"
shift || true
cmake --preset "$preset" -G Ninja >/dev/null
cmake --build --preset "$preset" -j "$(nproc)" "$@"
