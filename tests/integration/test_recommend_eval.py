"""The recommenders' offline evaluation end to end, with the real encoder: the demo shop
generated in a temporary database, the tau-bench store (skipped when ../shared/data is absent),
a history with planted structure, and ``kefu eval recommend``.

What is asserted is what was measured, with a margin. The demo shop's and tau-bench's orders
are drawn at random (kefu.demo.orders samples each order's lines uniformly from the
catalogue's variants), so nothing personal is there to find: popularity — which follows the
number of variants — beats a random ranking, and the hybrid, whose weights the validation split
puts on popularity, matches it without beating it. On the planted history the hybrid beats
popularity clearly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from kefu.knowledge.vector_cache import VectorCache
from kefu.recommend.cli import eval_recommend
from kefu.recommend.evaluate import demo_history, evaluate_history, settings_encoder, tau_history
from kefu.recommend.synthetic import planted_history
from kefu.settings import Settings

METHODS = {"content", "behaviour", "popularity", "hybrid", "hybrid_content_behaviour", "random"}


@pytest.fixture(scope="module")
def vectors() -> VectorCache:
    return settings_encoder(Settings())


@pytest.fixture(scope="module")
def demo(vectors: VectorCache) -> dict[str, Any]:
    return evaluate_history(demo_history(), vectors, bootstrap=200)


def _well_formed(report: dict[str, Any]) -> None:
    assert set(report["methods"]) == METHODS
    for figures in report["methods"].values():
        assert 0.0 <= figures["ndcg_at_10"] <= figures["hit_rate_at_10"] <= 1.0
    assert report["hit_rate_at_10"] == report["methods"]["hybrid"]["hit_rate_at_10"]
    assert report["popularity_hit_rate_at_10"] == report["methods"]["popularity"][
        "hit_rate_at_10"]
    weights = report["hybrid_weights"]["hybrid"]
    assert set(weights) == {"content", "behaviour", "popularity"}
    assert sum(weights.values()) == pytest.approx(1.0)


def test_demo_shop(demo: dict[str, Any]) -> None:
    _well_formed(demo)
    assert demo["time_order"] == "created_at"
    assert demo["customers_evaluated"] >= 200  # 240 customers, most with two orders or more
    m = demo["methods"]
    # measured: popularity 0.367 against a random ranking's 0.261
    assert m["popularity"]["hit_rate_at_10"] > m["random"]["hit_rate_at_10"] + 0.05
    # measured: the hybrid equals popularity (weights 0 / 0 / 1); it must not fall below it
    assert m["hybrid"]["hit_rate_at_10"] >= m["popularity"]["hit_rate_at_10"] - 0.02
    assert m["hybrid"]["ndcg_at_10"] >= m["popularity"]["ndcg_at_10"] - 0.01


def test_tau_retail_store(tau_dir: Path, vectors: VectorCache) -> None:
    report = evaluate_history(tau_history(tau_dir), vectors, bootstrap=200)
    _well_formed(report)
    assert report["time_order"] == "sequence"  # tau-bench's orders carry no timestamps
    m = report["methods"]
    # measured: popularity 0.613 against a random ranking's 0.471
    assert m["popularity"]["hit_rate_at_10"] > m["random"]["hit_rate_at_10"] + 0.05
    assert m["hybrid"]["hit_rate_at_10"] >= m["popularity"]["hit_rate_at_10"] - 0.02


def test_planted_structure_is_found(vectors: VectorCache) -> None:
    report = evaluate_history(planted_history(demo_history()), vectors, bootstrap=200)
    _well_formed(report)
    m = report["methods"]
    # measured: NDCG@10 content 0.182, behaviour 0.165, hybrid 0.183, popularity 0.110
    for method in ("content", "behaviour", "hybrid"):
        assert m[method]["ndcg_at_10"] > 1.25 * m["popularity"]["ndcg_at_10"], method
    assert report["hybrid_minus_popularity_ci95"]["ndcg"][0] > 0
    assert report["hybrid_weights"]["hybrid"]["popularity"] < 0.5


def test_the_command_prints_the_figures() -> None:
    app = typer.Typer()
    app.command()(eval_recommend)
    result = CliRunner().invoke(app, ["--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["store"] == "demo"
    for key in ("hit_rate_at_10", "ndcg_at_10", "popularity_hit_rate_at_10"):
        assert 0.0 < report[key] <= 1.0
    text = CliRunner().invoke(app, [])
    assert text.exit_code == 0, text.output
    assert "popularity_hit_rate_at_10:" in text.output and "hybrid_content_behaviour" in text.output
    refused = CliRunner().invoke(app, ["--store", "nowhere"])
    assert refused.exit_code == 2


def test_the_command_on_the_tau_store(tau_dir: Path) -> None:
    app = typer.Typer()
    app.command()(eval_recommend)
    result = CliRunner().invoke(app, ["--store", "tau-retail", str(tau_dir), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["store"], report["time_order"]) == ("tau-retail", "sequence")
    assert report["products"] == 50
