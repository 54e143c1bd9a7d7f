#!/usr/bin/python3
"""render_report.py RESULTS_DIR: turns one benchmark run into report.md and SVG plots.

Reads the Google Benchmark JSON files that bench/run-benchmarks.sh wrote
into RESULTS_DIR (lock.json, contention.json, contention_disk.json,
atomic_write.json, checkers.json; any may be missing) plus machine.txt and
runner_overhead.txt, and writes into the same directory:

  report.md       tables, ratios and the verdict on every target
  throughput.svg  contended throughput vs processes, per lock (tmpfs)
  latency.svg     p50 and p99 acquire latency vs processes, per lock (tmpfs)
  fairness.svg    smallest per-process share vs processes, per lock (tmpfs)

Every number in the report is computed here from the JSON; nothing is
hard-coded except the targets themselves (TARGETS below). Standard library
only.
"""

import json
import math
import os
import sys

LOCK_ORDER = ["ours", "seed", "flock", "ofd", "excl"]
COLORS = {"ours": "#d62728", "seed": "#7f7f7f", "flock": "#1f77b4", "ofd": "#2ca02c", "excl": "#9467bd"}

# The targets from the benchmark issue, checked at TARGET_PROCESSES.
TARGET_PROCESSES = 8
TARGET_OWN_RATIO = 0.80        # ours at 8 processes vs ours at 1
TARGET_VS_FLOCK = 0.50         # ours at 8 processes vs flock at 8
TARGET_P99_US = 5000.0         # ours' p99 acquire latency at 8 processes (tmpfs)
TARGET_MIN_SHARE = 1.0 / 3.0   # no process below a third of the mean share
TARGET_CHECKER_US = 2e6        # parse + check a 1,000,000-operation history


# --------------------------------------------------------------------------
# Loading


def read_json(path):
    """The parsed file, or None if it is absent or not valid JSON (a run that
    crashed mid-write); the latter is reported on stderr."""
    if not os.path.exists(path):
        return None
    try:
        with open(path) as f:
            return json.load(f)
    except ValueError as e:
        sys.stderr.write("render_report.py: ignoring %s: %s\n" % (path, e))
        return None


def load_iterations(path):
    """Every single run of a Google Benchmark JSON file (each repetition), or None if absent."""
    doc = read_json(path)
    if doc is None:
        return None
    return [b for b in doc.get("benchmarks", []) if b.get("run_type", "iteration") == "iteration"]


def load_benchmarks(path):
    """One entry per benchmark, or None if the file is absent: the median over
    repetitions where the run was repeated (its counters are medians too),
    else the single run. A benchmark with a failed repetition is represented
    by that failed run, so an error is never hidden behind a median."""
    doc = read_json(path)
    if doc is None:
        return None
    benchmarks = doc.get("benchmarks", [])
    medians = {b["run_name"]: b for b in benchmarks
               if b.get("run_type") == "aggregate" and b.get("aggregate_name") == "median"}
    spreads = {b["run_name"]: b for b in benchmarks
               if b.get("run_type") == "aggregate" and b.get("aggregate_name") == "cv"}
    out, seen = [], set()
    for b in benchmarks:
        if b.get("run_type", "iteration") != "iteration":
            continue
        run = b.get("run_name", b["name"])
        if b.get("error_occurred"):
            out = [e for e in out if e.get("run_name", e["name"]) != run]
            out.append(b)
            seen.add(run)
        elif run not in seen:
            entry = dict(medians[run], name=b["name"]) if run in medians else b
            if run in spreads:  # coefficient of variation over the repetitions
                entry = dict(entry, cv=spreads[run])
            out.append(entry)
            seen.add(run)
    return out


def load_context(path):
    doc = read_json(path)
    return {} if doc is None else doc.get("context", {})


def name_parts(entry):
    """'Contention/ours/8/iterations:1/manual_time' -> ['Contention', 'ours', '8']."""
    return [p for p in entry["name"].split("/") if ":" not in p and p not in ("manual_time", "real_time")]


def time_us(entry):
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[entry.get("time_unit", "ns")]
    return entry["real_time"] * scale


def contention_key(entry):
    """('ours', 8) for 'Contention/ours/8/...', else None."""
    parts = name_parts(entry)
    if len(parts) >= 3 and parts[0] == "Contention":
        return (parts[1], int(parts[2]))
    return None


def contention_table(entries):
    """{(lock, processes): entry} for the Contention/<lock>/<n> benchmarks."""
    return {contention_key(e): e for e in entries or [] if contention_key(e) is not None}


def errors_of(entries):
    return [(e["name"], e.get("error_message", "")) for e in entries or [] if e.get("error_occurred")]


# --------------------------------------------------------------------------
# Ratios and targets


def ok_entry(table, lock, n):
    e = table.get((lock, n))
    if e is None or e.get("error_occurred"):
        return None
    return e


def own_ratio(table, lock, n):
    """Throughput at n processes over the same lock's throughput at 1."""
    e, base = ok_entry(table, lock, n), ok_entry(table, lock, 1)
    if e is None or base is None or base["ops_per_s"] <= 0:
        return None
    return e["ops_per_s"] / base["ops_per_s"]


def ratio_between(table, lock, other, n):
    e, o = ok_entry(table, lock, n), ok_entry(table, other, n)
    if e is None or o is None or o["ops_per_s"] <= 0:
        return None
    return e["ops_per_s"] / o["ops_per_s"]


def evaluate_targets(table):
    """[(target text, measured text, verdict text)], verdict 'met', 'MISSED ...' or 'not measured'."""
    n = TARGET_PROCESSES
    rows = []

    def at_least(label, value, limit, fmt):
        if value is None:
            rows.append((label, "-", "not measured"))
        elif value >= limit:
            rows.append((label, fmt(value), "met"))
        else:
            rows.append((label, fmt(value), "MISSED by %s (%.0f%% of the target)" % (fmt(limit - value), 100 * value / limit)))

    at_least("ours at %d processes >= %.0f%% of its own 1-process throughput" % (n, 100 * TARGET_OWN_RATIO),
             own_ratio(table, "ours", n), TARGET_OWN_RATIO, lambda v: "%.2f" % v)
    at_least("ours at %d processes >= %.0f%% of flock's throughput at %d" % (n, 100 * TARGET_VS_FLOCK, n),
             ratio_between(table, "ours", "flock", n), TARGET_VS_FLOCK, lambda v: "%.2f" % v)

    e = ok_entry(table, "ours", n)
    label = "ours' p99 acquire latency at %d processes < %.0f ms" % (n, TARGET_P99_US / 1000)
    if e is None:
        rows.append((label, "-", "not measured"))
    elif e["p99_us"] < TARGET_P99_US:
        rows.append((label, fmt_us(e["p99_us"]), "met"))
    else:
        rows.append((label, fmt_us(e["p99_us"]), "MISSED: %.1fx the limit" % (e["p99_us"] / TARGET_P99_US)))

    at_least("no process of ours at %d gets < 1/3 of the mean share" % n,
             e["min_share"] if e is not None else None, TARGET_MIN_SHARE, lambda v: "%.2f" % v)
    return rows


def correctness_problems(entries):
    """Runs (every repetition) whose counter disagrees with the cycles counted, or with failures."""
    problems = []
    runs = [(key, e) for e in entries or [] for key in [contention_key(e)] if key is not None]
    for (lock, n), e in sorted(runs, key=sort_key):
        if e.get("error_occurred"):
            problems.append("%s at %d processes: run failed: %s" % (lock, n, e.get("error_message", "")))
            continue
        if e.get("lost_updates", 0) != 0:
            problems.append("%s at %d processes: %d LOST UPDATES (the lock let two writers in)" %
                            (lock, n, e["lost_updates"]))
        if e.get("failures", 0) != 0:
            problems.append("%s at %d processes: %d failed acquisitions or cycles (%s)" %
                            (lock, n, e["failures"], e.get("label", "")))
    return problems


def sort_key(item):
    (lock, n), _ = item
    order = LOCK_ORDER.index(lock) if lock in LOCK_ORDER else len(LOCK_ORDER)
    return (order, lock, n)


# --------------------------------------------------------------------------
# Formatting


def fmt_us(us):
    if us >= 1e6:
        return "%.2f s" % (us / 1e6)
    if us >= 1e3:
        return "%.2f ms" % (us / 1e3)
    return "%.1f us" % us


def fmt_ratio(r):
    return "-" if r is None else "%.2f" % r


def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def contention_section(table, title):
    if not table:
        return ["## %s" % title, "", "Not run."]
    rows = []
    for (lock, n), e in sorted(table.items(), key=sort_key):
        if e.get("error_occurred"):
            rows.append([lock, n, "error"] + [""] * 10)
            continue
        vs_flock = ratio_between(table, lock, "flock", n) if lock != "flock" else None
        busy = "%.2f" % e["busy"] if "busy" in e else "-"
        hold = fmt_us(e["hold_us"]) if "hold_us" in e else "-"
        spread = "%.0f%%" % (100 * e["cv"]["ops_per_s"]) if "cv" in e and "ops_per_s" in e["cv"] else "-"
        rows.append([lock, n, "%.0f" % e["ops_per_s"], spread, fmt_ratio(own_ratio(table, lock, n)), fmt_ratio(vs_flock),
                     fmt_us(e["p50_us"]), fmt_us(e["p99_us"]), fmt_us(e["max_us"]),
                     "%.2f / %.2f" % (e["min_share"], e["max_share"]), hold, busy,
                     "%d / %d" % (e.get("lost_updates", 0), e.get("failures", 0))])
    header = ["lock", "procs", "ops/s", "cv", "vs own 1-proc", "vs flock", "p50 acquire", "p99 acquire", "max acquire",
              "min / max share", "cycle in lock", "busy", "lost / failed"]
    return ["## %s" % title, "",
            "ops/s: cycles completed in the window (median of the repetitions; cv: their standard deviation "
            "over their mean). Acquire latency: time in Acquire(). Share: a process's cycles "
            "over the mean (1 = fair). Cycle in lock: mean time from holding the lock to starting to release it. "
            "Busy: share of the window some process was inside the lock (1 = the lock never sat idle).",
            "", md_table(header, rows)]


def uncontended_section(entries):
    if entries is None:
        return ["## Uncontended acquire + release", "", "Not run."]
    by = {}
    for e in entries:
        parts = name_parts(e)
        if len(parts) >= 3 and parts[0] == "AcquireRelease" and not e.get("error_occurred"):
            by[(parts[1], parts[2])] = time_us(e)
    fss = [fs for fs in ("tmpfs", "disk") if any(k[1] == fs for k in by)]
    rows = []
    for lock in LOCK_ORDER:
        row = [lock]
        for fs in fss:
            t, flock = by.get((lock, fs)), by.get(("flock", fs))
            row.append("-" if t is None else fmt_us(t))
            row.append("-" if t is None or not flock else "%.1fx" % (t / flock))
        rows.append(row)
    header = ["lock"]
    for fs in fss:
        header += ["%s: time" % fs, "%s: vs flock" % fs]
    out = ["## Uncontended acquire + release", "", "One process, nobody competing; time per acquire + release.",
           "", md_table(header, rows)]
    full = [(name_parts(e)[1], time_us(e)) for e in entries
            if len(name_parts(e)) >= 2 and name_parts(e)[0] == "FullMutate" and not e.get("error_occurred")]
    if full:
        out += ["", "For scale, one complete operation of the reference library (RegistryStore::Mutate: lock, "
                "sweep, load, change, verify, write with fsyncs, release), uncontended: " +
                ", ".join("%s %s" % (fs, fmt_us(t)) for fs, t in full) + "."]
    return out


def atomic_write_section(entries):
    if entries is None:
        return ["## Atomic write", "", "Not run."]
    by, methods, sizes = {}, [], []
    for e in entries:
        parts = name_parts(e)
        if len(parts) >= 4 and parts[0] == "AtomicWrite" and not e.get("error_occurred"):
            method, size, fs = parts[1], int(parts[2]), parts[3]
            by[(method, size, fs)] = time_us(e)
            if method not in methods:
                methods.append(method)
            if size not in sizes:
                sizes.append(size)
    out = ["## Atomic write", "",
           "Time per replacement of the whole file (one process, no lock). Ratio: over `in_place` of the same size."]
    for fs in ("tmpfs", "disk"):
        if not any(k[2] == fs for k in by):
            continue
        rows = []
        for method in methods:
            row = [method]
            for size in sorted(sizes):
                t, base = by.get((method, size, fs)), by.get(("in_place", size, fs))
                row.append("-" if t is None else "%s (%.1fx)" % (fmt_us(t), t / base if base else float("nan")))
            rows.append(row)
        out += ["", "### %s" % fs, "", md_table(["method"] + [human_bytes(s) for s in sorted(sizes)], rows)]
    return out


def human_bytes(n):
    if n >= 1 << 20:
        return "%d MiB" % (n >> 20)
    if n >= 1 << 10:
        return "%d KiB" % (n >> 10)
    return "%d B" % n


def checkers_section(entries):
    out = ["## Checker time (harness)", ""]
    if entries is None:
        return out + ["Not run (checkers_bench was not built or not found)."]
    for e in entries:
        if e.get("error_occurred"):
            out.append("- `%s`: ERROR %s" % (e["name"], e.get("error_message", "")))
        else:
            ops = e.get("operations")
            t = time_us(e)
            verdict = "met" if t < TARGET_CHECKER_US else "MISSED: %.1fx the limit" % (t / TARGET_CHECKER_US)
            out.append("- `%s`: %s per parse + check of %s operations; target under %.0f s: %s" %
                       (e["name"], fmt_us(t), "%d" % ops if ops else "?", TARGET_CHECKER_US / 1e6, verdict))
    return out


def runner_section(results_dir):
    path = os.path.join(results_dir, "runner_overhead.txt")
    out = ["## Runner overhead (harness)", ""]
    if not os.path.exists(path):
        return out + ["Not run (bench/runner_overhead.sh or the lockharness binary was missing)."]
    with open(path) as f:
        text = f.read().rstrip()
    return out + ["Output of `bench/runner_overhead.sh`:", "", "```", text, "```"]


# --------------------------------------------------------------------------
# SVG


def svg_line_chart(title, series, y_label, log_y=True, y_floor=None, dashed=None, hlines=()):
    """A line chart with x = processes (log2 axis) and one polyline per series.

    series: {name: [(x, y), ...]}; dashed: {name: bool}; hlines: [(y, label)]
    reference lines (targets). Returns SVG text."""
    width, height = 640, 400
    left, right, top, bottom = 70, 130, 40, 50
    pw, ph = width - left - right, height - top - bottom
    points = [(x, y) for pts in series.values() for x, y in pts if y is not None and (y > 0 or not log_y)]
    if points:
        points += [(points[0][0], y) for y, _ in hlines]
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">'
           % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="15">%s</text>' % (left, esc(title))]
    if not points:
        out.append('<text x="%d" y="%d">no data</text></svg>' % (left, top + ph // 2))
        return "\n".join(out)
    xs = [x for x, _ in points]
    x_lo, x_hi = math.log2(min(xs)), math.log2(max(xs))
    if x_hi == x_lo:
        x_hi = x_lo + 1
    ys = [y for _, y in points]
    if log_y:
        y_lo = math.floor(math.log10(min(ys)))
        y_hi = math.ceil(math.log10(max(ys)))
        if y_hi == y_lo:
            y_hi += 1
    else:
        y_lo, y_hi = (y_floor if y_floor is not None else min(0, min(ys))), max(ys) * 1.1 or 1

    def px(x):
        return left + (math.log2(x) - x_lo) / (x_hi - x_lo) * pw

    def py(y):
        v = math.log10(y) if log_y else y
        return top + ph - (v - y_lo) / (y_hi - y_lo) * ph

    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#444"/>' % (left, top, pw, ph))
    for x in sorted(set(xs)):
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (px(x), top, px(x), top + ph))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%g</text>' % (px(x), top + ph + 16, x))
    out.append('<text x="%d" y="%d" text-anchor="middle">processes</text>' % (left + pw // 2, top + ph + 36))
    if log_y:
        ticks = [10 ** k for k in range(y_lo, y_hi + 1)]
    else:
        step = nice_step((y_hi - y_lo) / 5)
        ticks = [y_lo + i * step for i in range(int((y_hi - y_lo) / step) + 1)]
    for t in ticks:
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>' % (left, py(t), left + pw, py(t)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (left - 6, py(t) + 4, fmt_tick(t)))
    out.append('<text x="16" y="%d" transform="rotate(-90 16 %d)" text-anchor="middle">%s</text>'
               % (top + ph // 2, top + ph // 2, esc(y_label)))
    for y, label in hlines:
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#000" stroke-dasharray="2,3"/>'
                   % (left, py(y), left + pw, py(y)))
        out.append('<text x="%d" y="%.1f" font-size="11">%s</text>' % (left + 4, py(y) - 4, esc(label)))
    for i, (name, pts) in enumerate(series.items()):
        pts = [(x, y) for x, y in sorted(pts) if y is not None and (y > 0 or not log_y)]
        if not pts:
            continue
        color = COLORS.get(name.split(" ")[0], "#000")
        dash = ' stroke-dasharray="5,4"' if dashed and dashed.get(name) else ""
        path = " ".join("%.1f,%.1f" % (px(x), py(y)) for x, y in pts)
        out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>' % (path, color, dash))
        for x, y in pts:
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (px(x), py(y), color))
        ly = top + 10 + i * 18
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                   % (left + pw + 10, ly, left + pw + 30, ly, color, dash))
        out.append('<text x="%d" y="%d">%s</text>' % (left + pw + 35, ly + 4, esc(name)))
    out.append("</svg>")
    return "\n".join(out)


def nice_step(raw):
    if raw <= 0:
        return 1
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def fmt_tick(t):
    if t >= 1e6:
        return "%gM" % (t / 1e6)
    if t >= 1e3:
        return "%gk" % (t / 1e3)
    return "%g" % t


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plots(table):
    locks = [l for l in LOCK_ORDER if any(k[0] == l for k in table)]

    def series_of(field, lock):
        return [(n, e[field]) for (l, n), e in table.items() if l == lock and not e.get("error_occurred")]

    throughput = svg_line_chart("Throughput of locked read-modify-write cycles (tmpfs)",
                                {l: series_of("ops_per_s", l) for l in locks}, "cycles per second (log)")
    lat_series, dashed = {}, {}
    for l in locks:
        lat_series[l + " p99"] = series_of("p99_us", l)
        lat_series[l + " p50"] = series_of("p50_us", l)
        dashed[l + " p50"] = True
    latency = svg_line_chart("Acquire latency (tmpfs): p99 solid, p50 dashed", lat_series,
                             "microseconds (log)", dashed=dashed,
                             hlines=[(TARGET_P99_US, "target for ours' p99 at %d" % TARGET_PROCESSES)])
    fairness = svg_line_chart("Fairness: smallest per-process share of the mean (tmpfs)",
                              {l: series_of("min_share", l) for l in locks}, "min share (1 = fair)",
                              log_y=False, y_floor=0, hlines=[(TARGET_MIN_SHARE, "target: 1/3")])
    return {"throughput.svg": throughput, "latency.svg": latency, "fairness.svg": fairness}


# --------------------------------------------------------------------------
# The report


def render(results_dir):
    """Writes report.md and the plots; returns the report text."""
    rd = lambda name: os.path.join(results_dir, name)
    contention = contention_table(load_benchmarks(rd("contention.json")))
    contention_disk = contention_table(load_benchmarks(rd("contention_disk.json")))
    context = load_context(rd("contention.json"))

    lines = ["# Benchmark report", ""]
    if os.path.exists(rd("machine.txt")):
        with open(rd("machine.txt")) as f:
            lines += ["## Machine", "", "```", f.read().rstrip(), "```", ""]
    if context:
        lines += ["Contention runs: directory `%s`, window %s ms per configuration, write method `%s`." %
                  (context.get("contention_dir", "?"), context.get("contention_duration_ms", "?"),
                   context.get("contention_write", "?")), ""]

    lines += ["## Targets (contention on tmpfs)", ""]
    lines.append(md_table(["target", "measured", "verdict"], evaluate_targets(contention)))
    lines.append("")
    seed = own_ratio(contention, "seed", TARGET_PROCESSES)
    seed_vs_ours = ratio_between(contention, "seed", "ours", TARGET_PROCESSES)
    seed_e = ok_entry(contention, "seed", TARGET_PROCESSES)
    if seed_e is not None:
        lines.append("The seed's fixed-sleep recipe at %d processes: %.0f cycles/s (%s of its own 1-process rate, "
                     "%s of ours), p99 acquire %s, max %s, smallest share %.2f." %
                     (TARGET_PROCESSES, seed_e["ops_per_s"], fmt_ratio(seed), fmt_ratio(seed_vs_ours),
                      fmt_us(seed_e["p99_us"]), fmt_us(seed_e["max_us"]), seed_e["min_share"]))
        lines.append("")
    problems = (correctness_problems(load_iterations(rd("contention.json"))) +
                correctness_problems(load_iterations(rd("contention_disk.json"))))
    lines += ["## Correctness of the runs", ""]
    lines += ["- " + p for p in problems] if problems else \
        ["Every contention run ended with the file's counter equal to the cycles counted (no lost update) "
         "and no failed acquisition."]
    lines.append("")
    for name in ("lock.json", "atomic_write.json", "checkers.json"):
        for bench, message in errors_of(load_benchmarks(rd(name))):
            lines.append("- ERROR in %s: %s" % (bench, message))
    lines += contention_section(contention, "Contention on tmpfs") + [""]
    lines += ["![throughput](throughput.svg)", "", "![latency](latency.svg)", "", "![fairness](fairness.svg)", ""]
    if contention_disk:
        lines += contention_section(contention_disk, "Contention on the project's file system") + [""]
    lines += uncontended_section(load_benchmarks(rd("lock.json"))) + [""]
    lines += atomic_write_section(load_benchmarks(rd("atomic_write.json"))) + [""]
    lines += checkers_section(load_benchmarks(rd("checkers.json"))) + [""]
    lines += runner_section(results_dir) + [""]
    report = "\n".join(lines)
    with open(rd("report.md"), "w") as f:
        f.write(report)
    for name, svg in plots(contention).items():
        with open(rd(name), "w") as f:
            f.write(svg)
    return report


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: render_report.py RESULTS_DIR\n")
        return 2
    render(argv[1])
    print(os.path.join(argv[1], "report.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
