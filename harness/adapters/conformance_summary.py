"""conformance_summary.py: the per-library summary of a conformance matrix.

  conformance_summary.py CONFORMANCE_JSON... [--catalog CATALOG_JSON]
  conformance_summary.py --matrix CONFORMANCE_JSON...
  conformance_summary.py --fault-coverage CONFORMANCE_JSON...

Several files are the shards of one run (`--shard K/N`): their cells are
read together; a cell a later file holds again replaces the earlier one
(single cells re-run with `lockharness conformance --adapter A --scenario S`).

--matrix prints the adapter x scenario grid of the cells the file holds,
also of an interrupted run (`"complete": false`), which `lockharness merge`
refuses to render; its rows are the adapters with at least one cell.

Reads the conformance.json that `lockharness conformance` (or `merge`)
writes and prints one Markdown table, a row per adapter, answering "several
copies of my tool use library X at once: what do I lose?" from the
checkers' verdicts, not from any judgement of ours:

  lock                 the catalog's lock_convention
  lost updates         cells where the lost-update checker found an
                       acknowledged update missing from the final registry
  torn reads           cells where json-validity found a reader sample or
                       the final file that does not parse
  two writers at once  cells where mutual-exclusion or
                       trace-mutual-exclusion found overlapping lock spans,
                       or, for a library without a lock, another writer's
                       rename inside a read-modify-write cycle
  stuck                cells where progress found the lock never taken
                       over or an operation the harness had to kill
  power loss           the verdicts of the crash scenarios (crash-*)
  placement            placement scenarios passed / judged
  pass / fail / unknown / n/a   the adapter's cells by status

Counts are cells (scenarios), each "N of M judged". Exit 0; 2 on a file
that cannot be read.

--fault-coverage prints, per adapter, whether each holder-directed nemesis
(kill-holder, pause-holder, steal-lock, backdate-lock) acted in the cells
that configured it, from the fault-coverage checker's verdict: "acted in
A of B" (A cells valid for that kind), plus "n/a N" where it had nothing
to act on by design (steal-lock against a kernel lock) and "none found N"
where the holder oracle found no holder.
"""

import json
import sys

CHECKER_COLUMNS = [
    ("lost updates", ("lost-update",)),
    ("torn reads", ("json-validity",)),
    ("two writers at once", ("mutual-exclusion", "trace-mutual-exclusion")),
    ("stuck", ("progress",)),
]


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print("conformance_summary.py: %s: %s" % (path, e), file=sys.stderr)
        sys.exit(2)


def invalid_by(outcome, checkers):
    return any(f.get("checker") in checkers and f.get("verdict") == "invalid"
               for f in outcome.get("findings", []))


def short_status(outcome):
    status = outcome.get("status", "")
    return {"PASS": "pass", "FAIL": "FAIL", "UNKNOWN": "unknown", "N/A": "n/a"}.get(status, status)


def summarize(doc, conventions):
    rows = []
    by_adapter = {}
    for cell in doc["cells"]:
        by_adapter.setdefault(cell["adapter"], []).append(cell)
    for adapter in doc["adapters"]:
        cells = by_adapter.get(adapter, [])
        runnable = [c for c in cells if "outcome" in c]
        if not runnable:
            reason = ("not runnable: " + cells[0].get("not_runnable", "")) if cells else "not run"
            rows.append([adapter, conventions.get(adapter, "?"), reason]
                        + [""] * (len(CHECKER_COLUMNS) + 3))
            continue
        judged = [c for c in runnable if c["outcome"].get("judged")
                  and c["outcome"].get("status") not in ("N/A",)]
        row = [adapter, conventions.get(adapter, "?")]
        for _, checkers in CHECKER_COLUMNS:
            hits = sum(1 for c in judged if invalid_by(c["outcome"], checkers))
            row.append("**%d** of %d" % (hits, len(judged)) if hits else "0 of %d" % len(judged))
        crash = ["%s %s" % (c["scenario"].replace("crash-", ""), short_status(c["outcome"]))
                 for c in runnable if c["scenario"].startswith("crash-")]
        row.append(", ".join(crash) if crash else "-")
        placed = [c for c in runnable if c["scenario"].startswith("placement-")
                  and c["outcome"].get("status") not in ("N/A",)]
        row.append("%d / %d" % (sum(1 for c in placed if c["outcome"].get("status") == "PASS"),
                                len(placed)) if placed else "-")
        counts = {}
        for c in runnable:
            s = short_status(c["outcome"])
            counts[s] = counts.get(s, 0) + 1
        row.append(" / ".join(str(counts.get(s, 0)) for s in ("pass", "FAIL", "unknown", "n/a")))
        rows.append(row)
    header = (["adapter", "lock"] + [name for name, _ in CHECKER_COLUMNS]
              + ["power loss", "placement", "pass / FAIL / unknown / n/a"])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


HOLDER_KINDS = ("kill-holder", "pause-holder", "steal-lock", "backdate-lock")


def fault_actions(finding):
    """{kind: "acted" | "idle" | "n/a"} from a fault-coverage finding."""
    summary = finding.get("summary", "")
    out = {}
    if finding.get("verdict") == "valid":
        for part in summary.split(": ", 1)[-1].split(", "):
            kind, _, count = part.rpartition(" x")
            if kind:
                out[kind] = "acted" if count != "0" else "idle"
        return out
    idle = [e[len("never acted: "):] for e in finding.get("evidence", [])
            if e.startswith("never acted: ")]
    not_applicable = "never acted (" not in summary
    for kind in idle:
        out[kind] = "n/a" if not_applicable else "idle"
    return out


def fault_coverage(doc):
    tallies = {}  # adapter -> kind -> [acted, configured, n/a, idle]
    for cell in doc["cells"]:
        for f in cell.get("outcome", {}).get("findings", []):
            if f.get("checker") != "fault-coverage":
                continue
            for kind, state in fault_actions(f).items():
                if kind not in HOLDER_KINDS:
                    continue
                t = tallies.setdefault(cell["adapter"], {}).setdefault(kind, [0, 0, 0, 0])
                t[1] += 1
                t[0] += state == "acted"
                t[2] += state == "n/a"
                t[3] += state == "idle"
    kinds = [k for k in HOLDER_KINDS if any(k in t for t in tallies.values())]
    lines = ["| adapter | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
    for adapter in doc["adapters"]:
        if adapter not in tallies:
            continue
        row = []
        for kind in kinds:
            t = tallies[adapter].get(kind)
            if t is None:
                row.append("-")
                continue
            text = "acted in %d of %d" % (t[0], t[1])
            if t[2]:
                text += ", n/a %d" % t[2]
            if t[3]:
                text += ", **none found %d**" % t[3]
            row.append(text)
        lines.append("| `%s` | " % adapter + " | ".join(row) + " |")
    return "\n".join(lines)


def matrix(doc):
    cells = {(c["adapter"], c["scenario"]): c for c in doc["cells"]}
    scenarios = [s for s in doc["scenarios"] if any(k[1] == s for k in cells)]
    lines = ["| adapter | " + " | ".join(scenarios) + " |", "|---|" + "---|" * len(scenarios)]
    for adapter in doc["adapters"]:
        if not any(k[0] == adapter for k in cells):
            continue
        row = []
        for scenario in scenarios:
            c = cells.get((adapter, scenario))
            if c is None:
                row.append("")
            elif "outcome" not in c:
                row.append("not runnable")
            else:
                status = short_status(c["outcome"])
                caught = c["outcome"].get("caught_by", [])
                if status == "FAIL" and caught:
                    status = "**FAIL**: " + " ".join(caught)
                elif c["outcome"].get("substitution"):
                    status += " (per-op)"
                row.append(status)
        lines.append("| `%s` | " % adapter + " | ".join(row) + " |")
    return "\n".join(lines)


def load_all(paths):
    """One document from the conformance.json of a run, or of its shards
    (each shard's cells; the adapters and scenarios of the first). A cell
    that a later file holds again (a re-run of single cells, `conformance
    --adapter A --scenario S`) replaces the earlier one, in its place."""
    docs = [load(p) for p in paths]
    doc = dict(docs[0])
    cells = {}
    for d in docs:
        for c in d.get("cells", []):
            cells[(c["adapter"], c["scenario"])] = c
    doc["cells"] = list(cells.values())
    return doc


USAGE = ("usage: conformance_summary.py CONFORMANCE_JSON... [--catalog CATALOG_JSON]\n"
         "       conformance_summary.py --matrix CONFORMANCE_JSON...\n"
         "       conformance_summary.py --fault-coverage CONFORMANCE_JSON...")


def main(argv):
    args = argv[1:]
    mode = "summary"
    catalog = None
    paths = []
    while args:
        arg = args.pop(0)
        if arg in ("--matrix", "--fault-coverage"):
            mode = arg[2:]
        elif arg == "--catalog" and args:
            catalog = args.pop(0)
        elif arg.startswith("--"):
            paths = []
            break
        else:
            paths.append(arg)
    if not paths or (catalog is not None and mode != "summary"):
        print(USAGE, file=sys.stderr)
        return 2
    doc = load_all(paths)
    if mode == "matrix":
        print(matrix(doc))
        return 0
    if mode == "fault-coverage":
        print(fault_coverage(doc))
        return 0
    conventions = {}
    if catalog is not None:
        for entry in load(catalog).get("adapters", []):
            conventions[entry.get("name")] = entry.get("lock_convention", "?")
    print(summarize(doc, conventions))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
