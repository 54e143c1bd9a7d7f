#!/usr/bin/env bash
# Checks that C and C++ files are formatted as .clang-format says; changes
# nothing.
#   ci/check-format.sh              every tracked *.cc, *.h and *.c file
#   ci/check-format.sh FILE...      only these
#   ci/check-format.sh --diff ...   also print what clang-format would change
# Prints one line per file that is not formatted (with the number of lines
# that would change). Exit 0 when every file is formatted, 1 when some are
# not, 2 when clang-format 14 is missing (Debian 12: apt-get install
# clang-format-14). The style is tuned for clang-format 14; other versions
# format some constructs differently.
set -euo pipefail
cd "$(dirname "$0")/.."

show_diff=0
if [ "${1:-}" = "--diff" ]; then
  show_diff=1
  shift
fi

format=""
for candidate in clang-format-14 clang-format; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" --version | grep -q 'version 14\.'; then
    format="$candidate"
    break
  fi
done
if [ -z "$format" ]; then
  echo "check-format: clang-format 14 not found (Debian 12: apt-get install clang-format-14)" >&2
  exit 2
fi

files=()
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files '*.cc' '*.h' '*.c')
fi

formatted=$(mktemp)
trap 'rm -f "$formatted"' EXIT
unformatted=0
for f in "${files[@]}"; do
  if [ ! -f "$f" ]; then
    echo "check-format: $f: no such file" >&2
    exit 2
  fi
  # --style=file: the nearest .clang-format above the file.
  if ! "$format" --style=file "$f" >"$formatted"; then
    echo "check-format: clang-format failed on $f" >&2
    exit 2
  fi
  if ! cmp -s "$f" "$formatted"; then
    changed=$(diff "$f" "$formatted" | grep -c '^[<>]' || true)
    echo "not formatted: $f ($changed lines would change)"
    if [ "$show_diff" -eq 1 ]; then
      diff -u --label "$f" --label "$f (formatted)" "$f" "$formatted" || true
    fi
    unformatted=$((unformatted + 1))
  fi
done

if [ "$unformatted" -gt 0 ]; then
  echo "check-format: $unformatted of ${#files[@]} files are not formatted (fix: $format -i --style=file FILE...)"
  exit 1
fi
echo "check-format: all ${#files[@]} files are formatted"
