"""`kefu eval recommend`: the recommenders measured offline, each customer's last order held
out (kefu.recommend.evaluate), on the demo shop or the tau-bench retail store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from kefu.errors import KefuError

STORES = ("tau-retail",)
METHODS = ("popularity", "content", "behaviour", "hybrid", "hybrid_content_behaviour", "random")


def _default_tau() -> Path:
    from kefu.training.corpora import SHARED

    return SHARED / "tau_retail"


def eval_recommend(
    store: Annotated[str | None, typer.Option(
        "--store", help="tau-retail: the tau-bench retail store (users.json, orders.json, "
                        "products.json) in DIRECTORY. Default: the demo shop, generated in a "
                        "temporary database.")] = None,
    directory: Annotated[Path | None, typer.Argument(
        help="The store's directory (default: ../shared/data/tau_retail beside the project).",
        show_default=False)] = None,
    seed: Annotated[int, typer.Option(help="The demo shop's seed.")] = 7,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Hit-rate@10 and NDCG@10 of the content, behaviour (co-purchase), hybrid and popularity
    recommenders, each customer's last order held out; the ratios to popularity."""
    from kefu.recommend import evaluate as ev
    from kefu.settings import get_settings

    if store is not None and store not in STORES:
        typer.echo(f"kefu: --store must be one of {', '.join(STORES)}", err=True)
        raise typer.Exit(2)
    if store is None and directory is not None:
        typer.echo("kefu: a directory needs --store", err=True)
        raise typer.Exit(2)
    where = directory or _default_tau()
    if store and not (where / "orders.json").is_file():
        typer.echo(f"kefu: no tau-bench store at {where} (../shared/data is absent?)", err=True)
        raise typer.Exit(2)
    try:
        settings = get_settings()
        history = ev.tau_history(where) if store else ev.demo_history(seed)
        report = ev.evaluate_history(history, ev.settings_encoder(settings))
    except ValueError as exc:
        typer.echo(f"kefu: {exc}", err=True)
        raise typer.Exit(2) from exc
    except (KefuError, OSError) as exc:
        typer.echo(f"kefu: {exc}", err=True)
        raise typer.Exit(1) from exc
    report = {"store": store or "demo", **report}
    typer.echo(json.dumps(report, ensure_ascii=False) if as_json else render(report))


def render(report: dict[str, Any]) -> str:
    """The report as a table, then the headline figures by name."""
    lines = [
        f"{report['store']}: {report['customers_evaluated']} customers' last orders held out "
        f"({report['skipped_repeat_only']} with only repeat purchases skipped), "
        f"{report['products']} products, time from {report['time_order']}",
        f"{'method':<26}{'hit@10':>8}{'ndcg@10':>9}{'×pop hit':>10}{'×pop ndcg':>11}",
    ]
    for name in METHODS:
        m, r = report["methods"][name], report["ratio_to_popularity"][name]
        lines.append(f"{name:<26}{m['hit_rate_at_10']:>8.4f}{m['ndcg_at_10']:>9.4f}"
                     f"{r['hit_rate'] or 0:>10.3f}{r['ndcg'] or 0:>11.3f}")
    weights = ", ".join(f"{n} {w:.1f}" for n, w in report["hybrid_weights"]["hybrid"].items())
    ci = report["hybrid_minus_popularity_ci95"]
    lines += [
        f"hybrid weights (validation split): {weights}",
        f"hybrid − popularity, 95 % bootstrap: hit-rate {ci['hit_rate']}, NDCG {ci['ndcg']}",
        f"hit_rate_at_10: {report['hit_rate_at_10']}",
        f"ndcg_at_10: {report['ndcg_at_10']}",
        f"popularity_hit_rate_at_10: {report['popularity_hit_rate_at_10']}",
        f"seconds: {report['seconds']}",
    ]
    return "\n".join(lines)
