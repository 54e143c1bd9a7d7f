#!/usr/bin/env python3
"""Prints one contention_bench invocation's figures side by side.

    contention_bench --locks=ours,ours-queue,flock ... \\
        --benchmark_out=run.json --benchmark_out_format=json
    bench/tools/contention_table.py run.json [--base ours]

One row per process count and lock: cycles/s, that throughput over the
base lock's at the same process count and over the lock's own at 1 process,
p50/p99/max acquire latency, smallest and largest share, busy, lost updates
and failures. With --benchmark_repetitions each figure is the median over
the repetitions (the ratios are of medians), `range` gives the smallest and
largest cycles/s, and lost updates and failures are summed over all of them.
Ratios are only meaningful within one invocation: on a shared machine the
absolute figures of two invocations are not comparable.
"""

import argparse
import json
import statistics
import sys


MEDIAN_FIELDS = ["ops_per_s", "p50_us", "p99_us", "max_us", "min_share", "max_share", "busy"]
SUM_FIELDS = ["lost_updates", "failures"]
KNOWN_ORDER = ["ours", "ours-queue", "seed", "flock", "ofd", "excl", "none"]


def load(path):
    """{(lock, processes): {field: value, "reps": n, "range": (lo, hi)} or {"error": text}}."""
    with open(path) as f:
        data = json.load(f)
    runs = {}
    for b in data.get("benchmarks", []):
        parts = b["name"].split("/")
        if len(parts) < 3 or parts[0] != "Contention" or b.get("run_type") == "aggregate":
            continue
        key = (parts[1], int(parts[2]))
        if b.get("error_occurred"):
            runs.setdefault(key, []).append({"error": b.get("error_message", "error")})
        else:
            runs.setdefault(key, []).append(b)
    rows = {}
    for key, reps in runs.items():
        errors = [r["error"] for r in reps if "error" in r]
        if errors:
            rows[key] = {"error": errors[0]}
            continue
        row = {f: statistics.median(r[f] for r in reps) for f in MEDIAN_FIELDS}
        row.update({f: sum(r[f] for r in reps) for f in SUM_FIELDS})
        row["reps"] = len(reps)
        row["range"] = (min(r["ops_per_s"] for r in reps), max(r["ops_per_s"] for r in reps))
        rows[key] = row
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
    order = [args.base] + [l for l in KNOWN_ORDER if l != args.base]
    locks = sorted({lock for lock, _ in rows}, key=lambda l: (order.index(l) if l in order else len(order), l))
    counts = sorted({n for _, n in rows})
    print("| processes | lock | reps | cycles/s | range | vs %s | vs own 1 | p50 us | p99 ms | max ms | min share | "
          "max share | busy | lost | failed |" % args.base)
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
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
            print("| %d | %s | %d | %.0f | %.0f-%.0f | %s | %s | %.1f | %.2f | %.1f | %.2f | %.2f | %.2f | %d | %d |" % (
                n, lock, r["reps"], r["ops_per_s"], r["range"][0], r["range"][1],
                ratio(r["ops_per_s"], base.get("ops_per_s", 0)),
                ratio(r["ops_per_s"], own1.get("ops_per_s", 0)), r["p50_us"], r["p99_us"] / 1000,
                r["max_us"] / 1000, r["min_share"], r["max_share"], r["busy"], r["lost_updates"],
                r["failures"]))


if __name__ == "__main__":
    main()
