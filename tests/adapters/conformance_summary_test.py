"""Tests of harness/adapters/conformance_summary.py on a hand-made matrix."""

import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "harness", "adapters"))
import conformance_summary  # noqa: E402


def cell(adapter, scenario, status, invalid=(), judged=True):
    findings = [{"checker": c, "verdict": "invalid", "summary": "", "evidence": []} for c in invalid]
    findings.append({"checker": "leftovers", "verdict": "valid", "summary": "", "evidence": []})
    return {"adapter": adapter, "scenario": scenario,
            "outcome": {"status": status, "judged": judged, "findings": findings}}


MATRIX = {
    "adapters": ["locked", "lockless", "missing"],
    "scenarios": ["contention-2-per-op", "contention-8-worker", "crash-posix", "kill-holder",
                  "placement-host-kill-holder", "placement-mixed-contention", "steal-lock",
                  "never-run"],
    "cells": [
        cell("locked", "contention-2-per-op", "PASS"),
        cell("locked", "crash-posix", "FAIL", ["crash-recovery"]),
        cell("locked", "placement-host-kill-holder", "PASS"),
        cell("locked", "placement-mixed-contention", "UNKNOWN", judged=True),
        cell("locked", "steal-lock", "N/A", judged=False),
        cell("lockless", "contention-2-per-op", "FAIL", ["lost-update", "json-validity"]),
        cell("lockless", "contention-8-worker", "FAIL", ["lost-update", "trace-mutual-exclusion"]),
        cell("lockless", "kill-holder", "FAIL", ["progress"]),
        {"adapter": "missing", "scenario": "contention-2-per-op", "not_runnable": "node not found"},
    ],
}


class SummaryTest(unittest.TestCase):
    def rows(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(MATRIX, f)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as g:
            json.dump({"adapters": [{"name": "locked", "lock_convention": "mkdir"},
                                    {"name": "lockless", "lock_convention": "none"}]}, g)
        out = io.StringIO()
        try:
            with redirect_stdout(out):
                self.assertEqual(conformance_summary.main(["x", f.name, "--catalog", g.name]), 0)
        finally:
            os.unlink(f.name)
            os.unlink(g.name)
        lines = out.getvalue().splitlines()
        return {line.split("|")[1].strip(): [x.strip() for x in line.split("|")[2:-1]]
                for line in lines[2:]}

    def test_counts_each_checker_over_judged_cells(self):
        rows = self.rows()
        self.assertEqual(rows["lockless"][:5], ["none", "**2** of 3", "**1** of 3", "**1** of 3",
                                                "**1** of 3"])
        self.assertEqual(rows["locked"][1:5], ["0 of 4"] * 4)

    def test_crash_placement_and_status_columns(self):
        rows = self.rows()
        self.assertEqual(rows["locked"][5], "posix FAIL")
        self.assertEqual(rows["locked"][6], "1 / 2")
        self.assertEqual(rows["locked"][7], "2 / 1 / 1 / 1")
        self.assertEqual(rows["lockless"][5], "-")

    def test_not_runnable_row_says_why(self):
        self.assertEqual(self.rows()["missing"][1], "not runnable: node not found")

    def test_matrix_grid_of_an_interrupted_run(self):
        doc = dict(MATRIX, complete=False)
        doc["cells"][1]["outcome"]["caught_by"] = ["crash-recovery"]
        lines = conformance_summary.matrix(doc).splitlines()
        self.assertNotIn("never-run", lines[0])  # no cell ran it
        self.assertEqual(len(lines), 2 + 3)
        row = [x.strip() for x in lines[2].split("|")[1:-1]]
        self.assertEqual(row[0], "`locked`")
        self.assertEqual(row[3], "**FAIL**: crash-recovery")
        self.assertEqual(row[2], "")  # locked x contention-8-worker: no cell
        self.assertEqual(row[7], "n/a")
        self.assertIn("not runnable", lines[4])

    def test_fault_coverage_of_holder_directed_nemeses(self):
        def coverage(adapter, scenario, verdict, summary, evidence=()):
            return {"adapter": adapter, "scenario": scenario,
                    "outcome": {"status": "PASS", "judged": True, "findings": [
                        {"checker": "fault-coverage", "verdict": verdict, "summary": summary,
                         "evidence": list(evidence)}]}}
        doc = {"adapters": ["flock", "mkdir", "other"], "scenarios": [], "cells": [
            coverage("mkdir", "kill-holder", "valid", "every configured fault acted: kill-holder x5"),
            coverage("mkdir", "mix", "valid",
                     "every configured fault acted: kill-writer x2, pause-holder x1, steal-lock x3"),
            coverage("mkdir", "kill-holder-2", "unknown",
                     "kill-holder never acted (no target found: ...); the run did not test ...",
                     ["never acted: kill-holder"]),
            coverage("flock", "steal-lock", "unknown",
                     "steal-lock: not applicable to a flock lock; the run did not test ...",
                     ["never acted: steal-lock"]),
            coverage("other", "rename-eio", "valid", "every configured fault acted: interposer x3"),
        ]}
        lines = conformance_summary.fault_coverage(doc).splitlines()
        self.assertEqual(lines[0], "| adapter | kill-holder | pause-holder | steal-lock |")
        self.assertEqual(lines[2], "| `flock` | - | - | acted in 0 of 1, n/a 1 |")
        self.assertEqual(lines[3], "| `mkdir` | acted in 1 of 2, **none found 1** | acted in 1 of 1 "
                                   "| acted in 1 of 1 |")
        self.assertEqual(len(lines), 4)  # "other" configured no holder-directed nemesis

    def test_shards_are_read_together(self):
        first = dict(MATRIX, cells=MATRIX["cells"][:4])
        second = dict(MATRIX, cells=MATRIX["cells"][4:])
        names = []
        for doc in (first, second):
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump(doc, f)
            names.append(f.name)
        out = io.StringIO()
        try:
            with redirect_stdout(out):
                self.assertEqual(conformance_summary.main(["x", "--matrix"] + names), 0)
        finally:
            for name in names:
                os.unlink(name)
        self.assertEqual(out.getvalue().strip(), conformance_summary.matrix(MATRIX))

    def test_a_later_file_replaces_a_re_run_cell(self):
        rerun = {"adapters": ["locked"], "scenarios": ["crash-posix"],
                 "cells": [cell("locked", "crash-posix", "PASS")]}
        names = []
        for doc in (MATRIX, rerun):
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump(doc, f)
            names.append(f.name)
        try:
            doc = conformance_summary.load_all(names)
        finally:
            for name in names:
                os.unlink(name)
        self.assertEqual(len(doc["cells"]), len(MATRIX["cells"]))
        self.assertEqual(doc["scenarios"], MATRIX["scenarios"])
        self.assertEqual(doc["cells"][1], cell("locked", "crash-posix", "PASS"))  # in its place

    def test_unreadable_file_exits_2(self):
        with self.assertRaises(SystemExit) as e:
            conformance_summary.load("/nonexistent/conformance.json")
        self.assertEqual(e.exception.code, 2)


if __name__ == "__main__":
    unittest.main()
