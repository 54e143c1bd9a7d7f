#!/usr/bin/python3
"""contention_guard.py: the regression guard for the reference lock on a disk.

Runs contention_bench with the reference lock (`ours`) at 1 and 2 processes
in one invocation, on a directory of the project's own file system (not
tmpfs), and fails if the 2-process throughput is below --min-ratio (0.5) of
the 1-process throughput. Issue #15's collapse was 0.11: a waiter closed its
inotify descriptor inside the lock, 10-30 ms each time.

A loaded machine makes single runs noisy: the disk's latency, shared with
every other process, changes several-fold within seconds. So one round
alternates short 1- and 2-process windows (--slices of each, --slice-ms
long) in one invocation and compares the summed cycles, which cancels slow
drifts; --rounds such rounds are made and the verdict compares the cycles
summed over all of them (a collapse is systematic, noise is not; with 3
rounds the guard takes about 10 s). Lost updates or failed
cycles fail at once: they are bugs, not noise. Where the disk is so loaded
that its fsyncs take longer than the lock's own costs, a collapse of the
lock hides behind them and the guard cannot see it: it guards what the
machine can show.

  contention_guard.py --bench BUILD/bench/contention_bench --dir DIR
                      [--rounds 3] [--slices 4] [--slice-ms 250] [--min-ratio 0.5]

Exit 0: the bound was met; 1: it was not (or a run lost updates); 2: usage
or the benchmark could not run.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile


def run_round(bench, scratch, slices, slice_ms):
    """Summed cycles and the slices of ours at 1 and 2 processes, alternating
    windows of one contention_bench run."""
    out = subprocess.run(
        [bench, "--dir=" + scratch, "--processes=" + ",".join(["1", "2"] * slices), "--locks=ours",
         "--duration_ms=%d" % slice_ms, "--benchmark_format=json"],
        check=False, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError("contention_bench exited %d: %s" % (out.returncode, out.stderr.strip()))
    ops = {1: [], 2: []}
    busy2 = []
    for b in json.loads(out.stdout)["benchmarks"]:
        if b.get("error_occurred"):
            raise RuntimeError("%s: %s" % (b["name"], b.get("error_message", "error")))
        if b["lost_updates"] != 0 or b["failures"] != 0:
            raise AssertionError("%s: %d lost updates, %d failed cycles (%s)" % (
                b["name"], b["lost_updates"], b["failures"], b.get("label", "")))
        processes = int(b["processes"])
        ops[processes].append(int(b["ops"]))
        if processes == 2:
            busy2.append(b["busy"])
    if len(ops[1]) != slices or len(ops[2]) != slices:
        raise RuntimeError("expected %d windows of each, got %d and %d" % (slices, len(ops[1]), len(ops[2])))
    return ops[1], ops[2], busy2


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bench", required=True)
    p.add_argument("--dir", required=True, help="a directory on the disk to test (not tmpfs)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--slices", type=int, default=4)
    p.add_argument("--slice-ms", type=int, default=250)
    p.add_argument("--min-ratio", type=float, default=0.5)
    args = p.parse_args()
    if not os.access(args.bench, os.X_OK):
        print("contention_guard: %s is not an executable" % args.bench, file=sys.stderr)
        return 2
    os.makedirs(args.dir, exist_ok=True)
    fs = subprocess.run(["stat", "-f", "-c", "%T", args.dir], capture_output=True, text=True).stdout.strip()
    print("contention_guard: %s (file system %s), ours at 2 processes >= %.2f x ours at 1" % (
        args.dir, fs or "?", args.min_ratio))
    if fs == "tmpfs":
        print("contention_guard: note: %s is tmpfs; the guard is meant for a disk" % args.dir)
    total1 = total2 = 0
    with tempfile.TemporaryDirectory(prefix="contention-guard.", dir=args.dir) as scratch:
        for k in range(1, args.rounds + 1):
            try:
                one, two, busy = run_round(args.bench, scratch, args.slices, args.slice_ms)
            except AssertionError as e:
                print("contention_guard: FAIL: %s" % e)
                return 1
            except (RuntimeError, OSError, subprocess.TimeoutExpired, KeyError, ValueError) as e:
                print("contention_guard: cannot run the benchmark: %s" % e, file=sys.stderr)
                return 2
            ratio = sum(two) / sum(one) if sum(one) > 0 else 0.0
            print("round %d: cycles per %d ms window, ours/1 %s, ours/2 %s (busy %s): ratio %.2f" % (
                k, args.slice_ms, one, two, " ".join("%.2f" % b for b in busy), ratio))
            total1 += sum(one)
            total2 += sum(two)
    ratio = total2 / total1 if total1 > 0 else 0.0
    verdict = "ok" if ratio >= args.min_ratio else "FAIL"
    print("contention_guard: %s: ours at 2 processes made %.2f of the cycles of ours at 1 "
          "over %d rounds (bound %.2f)" % (verdict, ratio, args.rounds, args.min_ratio))
    return 0 if ratio >= args.min_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
