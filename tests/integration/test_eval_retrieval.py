"""`kefu eval retrieval`, as an operator runs it: recall and MRR of the three retrieval modes on
the project's questions about the demo shop's pages."""

from __future__ import annotations

import json
from pathlib import Path

from kefu.settings import Settings
from tests.processes import must_run_kefu, run_kefu

FIGURES = ("recall_at_1", "recall_at_5", "mrr")


def _check(scores: dict[str, object], n: int) -> None:
    assert scores["n"] == n
    for key in FIGURES:
        value = scores[key]
        assert isinstance(value, float | int) and 0.0 <= value <= 1.0, (key, value)
    assert scores["recall_at_1"] <= scores["recall_at_5"]  # type: ignore[operator]


def test_all_three_modes_as_json(tmp_path: Path) -> None:
    out = json.loads(must_run_kefu("eval", "retrieval", "--mode", "all", "--json",
                                   data_dir=tmp_path, KEFU_CACHE_DIR=str(Settings().cache_dir)))
    n = out["n"]
    assert n >= 120
    for mode in ("bm25", "dense", "hybrid"):
        scores = out[mode]
        assert scores["mode"] == mode
        _check(scores, n)
        assert set(scores["by_kind"]) == {"same", "cross"}
        for part in scores["by_kind"].values():
            _check(part, part["n"])
        assert sum(p["n"] for p in scores["by_kind"].values()) == n
    assert all(out[key] == out["hybrid"][key] for key in (*FIGURES, "n"))
    assert out["hybrid"]["mrr"] >= out["bm25"]["mrr"]
    cross = {mode: out[mode]["by_kind"]["cross"] for mode in ("bm25", "dense")}
    assert cross["dense"]["recall_at_5"] > cross["bm25"]["recall_at_5"]


def test_one_mode_prints_a_table_and_a_wrong_mode_is_refused(tmp_path: Path) -> None:
    table = must_run_kefu("eval", "retrieval", "--mode", "bm25", data_dir=tmp_path)
    assert "R@1" in table and "MRR" in table and "bm25" in table and "hybrid" not in table
    done = run_kefu("eval", "retrieval", "--mode", "fuzzy", data_dir=tmp_path)
    assert done.returncode == 2 and "--mode" in done.stderr
