#!/usr/bin/env bash
# unprivileged_namespaces_test.sh: without root, the harness makes its PID
# namespace and places writers inside user namespaces of its own, where the
# kernel allows unprivileged ones; where neither root nor user namespaces
# are available, a placement is "not runnable" before any writer starts.
#
#   unprivileged_namespaces_test.sh CASE WORK_DIR
#
# CASE:
#   user-namespaces  as a user without privileges (nobody, through setpriv,
#                    when the test runs as root): a run with writers placed
#                    in containers and on simulated hosts passes, in a run
#                    namespace made in a user namespace. Skipped (77) if the
#                    kernel forbids unprivileged user namespaces.
#   no-namespaces    with no capability and user.max_user_namespaces = 0 (set
#                    in a user namespace of the test's own, so nothing else
#                    on the machine is affected): the run namespace is not
#                    made (run.json says why) and --placement host is "not
#                    runnable", with no writer started.
# Environment from CTest: LOCKHARNESS, LOCKREG.
set -uo pipefail
case_name="$1" work="$2"
rm -rf "$work"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
skip() {
  echo "SKIP: $*"
  exit 77
}
impl="$LOCKREG --file {registry}"

case "$case_name" in
  user-namespaces)
    as_user=()
    if [ "$(id -u)" = 0 ]; then
      command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
      chown 65534:65534 "$work"
      as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    fi
    if ! "${as_user[@]}" unshare --user true 2>"$work/unshare.err"; then
      skip "this kernel forbids unprivileged user namespaces ($(cat "$work/unshare.err");" \
        "user.max_user_namespaces=$(cat /proc/sys/user/max_user_namespaces 2>/dev/null)," \
        "kernel.unprivileged_userns_clone=$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo absent))"
    fi
    out="$(cd "$work" && "${as_user[@]}" "$LOCKHARNESS" run --impl "$impl" --placement mixed \
      --writers 3 --ops 40 --seed 2 --stale-ms 1000 \
      --nemesis kill-holder:start_ms=20,interval_ms=60,count=2 \
      --out "$work/run" 2>&1)"
    rc=$?
    [ "$rc" = 0 ] || fail "placed run as uid $("${as_user[@]}" id -u): exit $rc: $out"
    grep -A3 '"run_namespace"' "$work/run/run.json" | grep -q '"user_namespace": true' ||
      fail "no run namespace in a user namespace: $(grep -A3 run_namespace "$work/run/run.json")"
    owner="$(stat -c %u "$work/run/registry/sandboxes.json")"
    [ "$owner" = "$("${as_user[@]}" id -u)" ] || fail "the registry belongs to uid $owner"
    echo "ok: placement mixed as uid $("${as_user[@]}" id -u), in user namespaces"
    ;;
  no-namespaces)
    unshare --user --map-root-user true 2>/dev/null ||
      skip "cannot make the user namespace that switches user namespaces off"
    # In a user namespace of our own: no more user namespaces below it, and
    # lockharness runs without any capability.
    out="$(cd "$work" && unshare --user --map-root-user sh -c \
      'echo 0 >/proc/sys/user/max_user_namespaces && exec setpriv --inh-caps=-all --bounding-set=-all "$@"' \
      sh "$LOCKHARNESS" run --impl "$impl" --placement host --writers 2 --ops 2 --out "$work/run" 2>&1)"
    rc=$?
    [ "$rc" = 2 ] || fail "exit $rc, expected 2: $out"
    grep -q "placement 'host' is not available on this machine" <<<"$out" ||
      fail "no 'not runnable' reason: $out"
    grep -q '"owned": false' "$work/run/run.json" || fail "run.json: $(cat "$work/run/run.json")"
    ! grep -q '"type":"invoke"' "$work/run/history.jsonl" 2>/dev/null ||
      fail "a writer started: $(head -3 "$work/run/history.jsonl")"
    echo "ok: $(grep -o "not runnable.*" <<<"$out" | head -1)"
    ;;
  *) fail "unknown case $case_name" ;;
esac
