"""`kefu eval tau-retail`: the order-action flows measured on tau-bench retail tasks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kefu.errors import KefuError


def tau_retail(
    tasks: Annotated[Path, typer.Option(help="tasks_dev.json or tasks_train.json.")],
    store: Annotated[Path | None, typer.Option(
        help="The tau-bench store (users.json, orders.json, products.json); default: the "
             "tasks file's directory.")] = None,
    runs: Annotated[int, typer.Option(min=1, help="Runs per task (phrasing seeds): pass^k.")] = 1,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N tasks.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    failures: Annotated[bool, typer.Option(help="With --json: the failed runs' transcripts.")]
    = False,
) -> None:
    """Run kefu against tau-bench retail tasks with a scripted customer; judge the final store
    against the gold actions replayed. Prints pass^1 and pass^k."""
    from kefu.tau.run import evaluate

    if not tasks.is_file():
        typer.echo(f"kefu: no tasks file at {tasks}", err=True)
        raise typer.Exit(2)
    store_dir = store or tasks.parent
    try:
        report = evaluate(tasks, store_dir, runs=runs, limit=limit, keep_transcripts=failures)
    except (KefuError, ValueError, OSError) as exc:
        typer.echo(f"kefu: {exc}", err=True)
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    typer.echo(f"{report['n_tasks']} tasks × {runs} run(s) from {tasks.name}: "
               f"pass^1 {report['pass_1']:.3f}, pass^{runs} {report['pass_k']:.3f} "
               f"({report['turns_mean']:.1f} turns a conversation, {report['seconds']} s)")
    for failure in report["failures"][:20]:
        typer.echo(f"  task {failure['task']} run {failure['run']}: "
                   f"{'; '.join(failure['diff']) or 'a required output was not said'}")
