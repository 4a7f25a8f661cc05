"""`kefu eval tau-retail` as an operator runs it, on the first dev tasks (the full runs are in
bench/tau.py and BENCHMARKS.md)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.processes import must_run_kefu, run_kefu


def test_tau_retail_eval_passes_the_first_dev_tasks(tau_dir: Path, tmp_path: Path) -> None:
    out = must_run_kefu("eval", "tau-retail", "--tasks", str(tau_dir / "tasks_dev.json"),
                        "--limit", "6", "--runs", "2", "--json", data_dir=tmp_path)
    report = json.loads(out)
    assert {"pass_1", "pass_k", "k", "n_tasks"} <= set(report)
    assert report["n_tasks"] == 6 and report["k"] == 2
    assert report["pass_1"] >= 0.8, report["failures"]
    assert report["pass_k"] <= report["pass_1"]


def test_a_missing_tasks_file_is_a_clear_error(tmp_path: Path) -> None:
    done = run_kefu("eval", "tau-retail", "--tasks", str(tmp_path / "nope.json"),
                    data_dir=tmp_path)
    assert done.returncode == 2 and "no tasks file" in done.stderr
