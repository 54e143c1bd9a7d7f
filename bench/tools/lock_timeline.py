#!/usr/bin/python3
"""lock_timeline.py: where the time of a contended mkdir lock goes, from a
perf trace of its system calls (docs/performance.md, "The ext4 collapse").

  ev=$(for s in mkdir rmdir poll unlinkat fsync renameat rename openat \\
       newfstatat read write close kill; do
       printf 'syscalls:sys_enter_%s,syscalls:sys_exit_%s,' $s $s; done)
  perf record -q -o /tmp/lock.data -e "${ev%,}" -- \\
    build/bench/contention_bench --dir=DIR --processes=2 --locks=ours --duration_ms=700
  perf script -i /tmp/lock.data > /tmp/lock.txt
  bench/tools/lock_timeline.py /tmp/lock.txt [N]

Holding starts at a successful mkdir of any process and ends at its rmdir.
Prints the time the lock sat free (rmdir to the next successful mkdir), and
the N longest holding intervals with every system call made meanwhile, by
the holder and by the others (marked W), with their durations.
"""
import re
import statistics
import sys

PATTERN = re.compile(r'^\s*\S+\s+(\d+)\s+\[\d+\]\s+([\d.]+):\s+syscalls:sys_(enter|exit)_(\w+):\s*(.*)$')


def calls_of(path):
    events = []
    for line in open(path):
        m = PATTERN.match(line)
        if m:
            events.append((float(m[2]), int(m[1]), m[3], m[4], m[5]))
    events.sort()
    pending, calls = {}, []
    for t, pid, kind, name, rest in events:
        if kind == 'enter':
            pending[pid] = (t, name)
        elif pid in pending:
            start, n = pending.pop(pid)
            calls.append((start, t, pid, n, rest.strip()))
    calls.sort(key=lambda c: c[1])
    return calls


def main():
    calls = calls_of(sys.argv[1])
    longest = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    holder, since, free_since = None, None, None
    held, free = [], 0.0
    for start, end, pid, name, ret in calls:
        if name == 'mkdir' and ret == '0x0':
            if free_since is not None:
                free += end - free_since
            holder, since, free_since = pid, start, None
        elif name == 'rmdir' and ret == '0x0' and pid == holder:
            held.append((end - since, since, end, pid))
            holder, free_since = None, end
    if not held:
        print("no lock cycle in the trace")
        return 1
    span = held[-1][2] - held[0][1]
    print("cycles %d over %.1f ms; held median %.3f ms, mean %.3f ms; free between cycles %.1f ms in total" % (
        len(held), span * 1e3, statistics.median(h[0] for h in held) * 1e3,
        statistics.mean(h[0] for h in held) * 1e3, free * 1e3))
    slow = {}
    for length, start, end, pid in held:
        for c in calls:
            if c[2] == pid and c[0] >= start and c[1] <= end and c[1] - c[0] > 1e-3:
                n, total = slow.get(c[3], (0, 0.0))
                slow[c[3]] = (n + 1, total + c[1] - c[0])
    for name, (n, total) in sorted(slow.items(), key=lambda kv: -kv[1][1]):
        print("  holder's %s calls over 1 ms while holding: %d, %.1f ms in total (%.0f%% of the span)" % (
            name, n, total * 1e3, 100 * total / span))
    for length, start, end, pid in sorted(held)[len(held) - longest:]:
        print("held %.3f ms by %d" % (length * 1e3, pid))
        for c in calls:
            if c[0] >= start and c[1] <= end:
                print("  %s%d %-10s %8.3f ms" % ("  " if c[2] == pid else "W ", c[2], c[3], (c[1] - c[0]) * 1e3))
    return 0


if __name__ == '__main__':
    sys.exit(main())
