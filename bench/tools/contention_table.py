#!/usr/bin/env python3
"""Prints one contention_bench invocation's figures side by side.

    contention_bench --locks=ours,ours-queue,flock ... \\
        --benchmark_out=run.json --benchmark_out_format=json
    bench/tools/contention_table.py run.json [--base ours]

One row per process count and lock: cycles/s, that throughput over the
base lock's at the same process count and over the lock's own at 1 process,
p50/p99/max acquire latency, smallest and largest share, busy, lost updates
and failures. Only ratios within one invocation are printed: on a shared
machine the absolute figures of two invocations are not comparable.
"""

import argparse
import json
import sys


def load(path):
    with open(path) as f:
        data = json.load(f)
    rows = {}
    for b in data.get("benchmarks", []):
        parts = b["name"].split("/")
        if len(parts) < 3 or parts[0] != "Contention":
            continue
        if b.get("error_occurred"):
            rows[(parts[1], int(parts[2]))] = {"error": b.get("error_message", "error")}
            continue
        rows[(parts[1], int(parts[2]))] = b
    return rows


def ratio(a, b):
    return "%.2f" % (a / b) if b else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json")
    ap.add_argument("--base", default="ours", help="the lock the others are divided by (default: ours)")
    args = ap.parse_args()
    rows = load(args.json)
    if not rows:
        sys.exit("%s: no Contention benchmarks" % args.json)
    locks = []
    for lock, _ in rows:
        if lock not in locks:
            locks.append(lock)
    counts = sorted({n for _, n in rows})
    print("| processes | lock | cycles/s | vs %s | vs own 1 | p50 us | p99 ms | max ms | min share | max share | busy | lost | failed |"
          % args.base)
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in counts:
        for lock in locks:
            r = rows.get((lock, n))
            if r is None:
                continue
            if "error" in r:
                print("| %d | %s | error: %s |" % (n, lock, r["error"]))
                continue
            base = rows.get((args.base, n), {})
            own1 = rows.get((lock, 1), {})
            print("| %d | %s | %.0f | %s | %s | %.1f | %.2f | %.1f | %.2f | %.2f | %.2f | %d | %d |" % (
                n, lock, r["ops_per_s"], ratio(r["ops_per_s"], base.get("ops_per_s", 0)),
                ratio(r["ops_per_s"], own1.get("ops_per_s", 0)), r["p50_us"], r["p99_us"] / 1000,
                r["max_us"] / 1000, r["min_share"], r["max_share"], r["busy"], r["lost_updates"],
                r["failures"]))


if __name__ == "__main__":
    main()
