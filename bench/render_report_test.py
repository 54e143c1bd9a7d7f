#!/usr/bin/python3
"""Tests for render_report.py on hand-made benchmark JSON: the ratios and
target verdicts must come out of the numbers given, good and bad alike."""

import importlib.util
import json
import os
import shutil
import tempfile
import unittest

_HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("render_report", os.path.join(_HERE, "render_report.py"))
rr = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rr)


def contention_entry(lock, n, ops_per_s, p99_us=100.0, min_share=1.0, lost=0, failures=0):
    return {"name": "Contention/%s/%d/iterations:1/manual_time" % (lock, n), "run_type": "iteration",
            "real_time": 1000.0, "time_unit": "ms", "ops_per_s": ops_per_s, "p50_us": 10.0, "p99_us": p99_us,
            "max_us": p99_us * 2, "min_share": min_share, "max_share": 2 - min_share if n > 1 else 1.0,
            "lost_updates": lost, "failures": failures, "processes": n}


def write_run(directory, contention, lock=None):
    with open(os.path.join(directory, "contention.json"), "w") as f:
        json.dump({"context": {"contention_dir": "/dev/shm", "contention_duration_ms": "1000",
                               "contention_write": "temp_fsync_rename_dirsync"},
                   "benchmarks": contention}, f)
    if lock is not None:
        with open(os.path.join(directory, "lock.json"), "w") as f:
            json.dump({"context": {}, "benchmarks": lock}, f)


GOOD = [contention_entry("ours", 1, 1000), contention_entry("ours", 8, 900, p99_us=4000, min_share=0.6),
        contention_entry("flock", 1, 1200), contention_entry("flock", 8, 1100),
        contention_entry("seed", 1, 1000), contention_entry("seed", 8, 10, p99_us=2e6, min_share=0.0)]

BAD = [contention_entry("ours", 1, 1000), contention_entry("ours", 8, 700, p99_us=6000, min_share=0.2),
       contention_entry("flock", 1, 3000), contention_entry("flock", 8, 2000)]


class TargetsTest(unittest.TestCase):
    def test_good_numbers_meet_every_target(self):
        rows = rr.evaluate_targets(rr.contention_table(GOOD))
        self.assertEqual([r[2] for r in rows], ["met"] * 4)
        self.assertEqual(rows[0][1], "0.90")  # 900 / 1000
        self.assertEqual(rows[1][1], "0.82")  # 900 / 1100
        self.assertEqual(rows[2][1], "4.00 ms")

    def test_bad_numbers_miss_and_say_by_how_much(self):
        rows = rr.evaluate_targets(rr.contention_table(BAD))
        own, vs_flock, p99, share = rows
        self.assertEqual(own[1], "0.70")
        self.assertTrue(own[2].startswith("MISSED by 0.10"), own[2])
        self.assertEqual(vs_flock[1], "0.35")  # 700 / 2000
        self.assertTrue(vs_flock[2].startswith("MISSED by 0.15"), vs_flock[2])
        self.assertEqual(p99[2], "MISSED: 1.2x the limit")
        self.assertEqual(share[1], "0.20")
        self.assertTrue(share[2].startswith("MISSED"), share[2])

    def test_missing_runs_are_not_measured_rather_than_met(self):
        rows = rr.evaluate_targets(rr.contention_table([contention_entry("ours", 1, 1000)]))
        self.assertEqual([r[2] for r in rows], ["not measured"] * 4)

    def test_failed_run_is_not_used_for_ratios(self):
        broken = dict(contention_entry("ours", 8, 900), error_occurred=True, error_message="fork: EAGAIN")
        entries = [contention_entry("ours", 1, 1000), broken]
        self.assertIsNone(rr.own_ratio(rr.contention_table(entries), "ours", 8))
        self.assertIn("run failed: fork: EAGAIN", rr.correctness_problems(entries)[0])


class CorrectnessTest(unittest.TestCase):
    def test_lost_updates_and_failures_are_reported(self):
        problems = rr.correctness_problems([contention_entry("excl", 4, 10, lost=3),
                                            contention_entry("seed", 8, 10, failures=2)])
        self.assertEqual(len(problems), 2)
        self.assertIn("seed at 8 processes: 2 failed", problems[0])
        self.assertIn("excl at 4 processes: 3 LOST UPDATES", problems[1])

    def test_clean_runs_have_no_problems(self):
        self.assertEqual(rr.correctness_problems(GOOD), [])


def repeated(entries_per_rep, medians):
    """Google Benchmark's layout with --benchmark_repetitions: every run, then aggregates."""
    out = []
    for rep in entries_per_rep:
        for e in rep:
            out.append(dict(e, run_name=e["name"]))
    for m in medians:
        out.append(dict(m, run_name=m["name"], name=m["name"] + "_median", run_type="aggregate",
                        aggregate_name="median"))
    return out


class RepetitionsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_medians_are_used_for_numbers_but_every_repetition_for_correctness(self):
        reps = [[contention_entry("ours", 8, 100)], [contention_entry("ours", 8, 300, lost=1)],
                [contention_entry("ours", 8, 200)]]
        median = [contention_entry("ours", 8, 200)]  # lost_updates median is 0
        write_run(self.dir, repeated(reps, median))
        entries = rr.load_benchmarks(os.path.join(self.dir, "contention.json"))
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries[0]["ops_per_s"], 200)
        self.assertNotIn("cv", entries[0])  # no cv aggregate in this file
        problems = rr.correctness_problems(rr.load_iterations(os.path.join(self.dir, "contention.json")))
        self.assertEqual(len(problems), 1)
        self.assertIn("1 LOST UPDATES", problems[0])

    def test_spread_over_repetitions_is_shown(self):
        reps = [[contention_entry("ours", 1, 100)], [contention_entry("ours", 1, 300)]]
        data = repeated(reps, [contention_entry("ours", 1, 200)])
        data.append({"name": "Contention/ours/1/iterations:1/manual_time_cv", "run_type": "aggregate",
                     "aggregate_name": "cv", "run_name": "Contention/ours/1/iterations:1/manual_time",
                     "ops_per_s": 0.25})
        write_run(self.dir, data)
        report = rr.render(self.dir)
        self.assertIn("| ours | 1 | 200 | 25% | 1.00 |", report)

    def test_a_failed_repetition_is_not_hidden_by_the_median(self):
        failed = dict(contention_entry("ours", 8, 0), error_occurred=True, error_message="boom")
        reps = [[contention_entry("ours", 8, 100)], [failed]]
        write_run(self.dir, repeated(reps, [contention_entry("ours", 8, 100)]))
        entries = rr.load_benchmarks(os.path.join(self.dir, "contention.json"))
        self.assertEqual(len(entries), 1)
        self.assertTrue(entries[0].get("error_occurred"))


class RenderTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_report_and_plots_are_written_from_the_json(self):
        lock = [{"name": "AcquireRelease/ours/tmpfs", "run_type": "iteration", "real_time": 20.0, "time_unit": "us"},
                {"name": "AcquireRelease/flock/tmpfs", "run_type": "iteration", "real_time": 2000.0,
                 "time_unit": "ns"}]
        write_run(self.dir, GOOD, lock)
        report = rr.render(self.dir)
        # seed: 10 / 1000 of its own rate and 10 / 900 of ours.
        self.assertIn("10 cycles/s (0.01 of its own 1-process rate, 0.01 of ours)", report)
        self.assertIn("| ours | 20.0 us | 10.0x |", report)  # 20 us over 2000 ns
        self.assertIn("Not run (checkers_bench", report)
        for name in ("report.md", "throughput.svg", "latency.svg", "fairness.svg"):
            self.assertTrue(os.path.exists(os.path.join(self.dir, name)), name)
        with open(os.path.join(self.dir, "throughput.svg")) as f:
            svg = f.read()
        self.assertTrue(svg.startswith("<svg"))
        self.assertIn("<polyline", svg)
        self.assertTrue(svg.rstrip().endswith("</svg>"))

    def test_checker_time_is_judged_against_two_seconds(self):
        with open(os.path.join(self.dir, "checkers.json"), "w") as f:
            json.dump({"benchmarks": [
                {"name": "BM_ParseAndCheckAll/1000000/iterations:3/real_time", "run_type": "iteration",
                 "real_time": 3000.0, "time_unit": "ms", "operations": 1000000.0}]}, f)
        report = rr.render(self.dir)
        self.assertIn("3.00 s per parse + check of 1000000 operations; target under 2 s: MISSED: 1.5x the limit",
                      report)

    def test_empty_directory_still_renders(self):
        report = rr.render(self.dir)
        self.assertIn("not measured", report)


if __name__ == "__main__":
    unittest.main()
