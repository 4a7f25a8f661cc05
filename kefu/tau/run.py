"""`kefu eval tau-retail`: kefu's conversations against tau-bench retail tasks.

For each task and run: a fresh copy of a database holding the imported tau-bench store, a new
conversation, and the scripted customer (kefu.tau.customer, phrasing seed = run) talking to
kefu until it leaves or 40 turns pass. The judge (kefu.tau.judge) compares kefu's store with
the gold write actions replayed, and checks the required outputs in kefu's replies.

pass^1 is the mean success over runs and tasks; pass^k the share of tasks that succeed in all
k runs (tau-bench's definitions).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kefu.settings import Settings
from kefu.storage.db import make_engine, make_sessionmaker, upgrade
from kefu.store.tau import ORDERS, PRODUCTS, USERS, import_tau_retail, tau_documents
from kefu.tau.customer import ScriptedCustomer
from kefu.tau.judge import differences, outputs_found, replay

MAX_TURNS = 40


@dataclass
class TaskRun:
    task: int
    run: int
    passed: bool
    turns: int
    diff: list[str] = field(default_factory=list)
    transcript: list[tuple[str, str]] = field(default_factory=list)


def load_tasks(path: Path) -> list[dict[str, Any]]:
    tasks = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(tasks, list):
        raise ValueError(f"{path}: expected a JSON list of tasks")
    return tasks


def evaluate(tasks_file: Path, store_dir: Path, runs: int = 1, limit: int | None = None,
             progress: Callable[[TaskRun], None] | None = None,
             keep_transcripts: bool = False) -> dict[str, Any]:
    tasks = load_tasks(tasks_file)[:limit] if limit else load_tasks(tasks_file)
    documents = {name: json.loads((store_dir / name).read_text(encoding="utf-8"))
                 for name in (USERS, ORDERS, PRODUCTS)}
    started = time.perf_counter()
    results: list[TaskRun] = []
    with tempfile.TemporaryDirectory(prefix="kefu-tau-") as tmp:
        template = Path(tmp) / "store.sqlite3"
        url = f"sqlite:///{template}"
        upgrade(url)
        engine = make_engine(url)
        with make_sessionmaker(engine).begin() as session:
            import_tau_retail(session, store_dir)
        engine.dispose()
        for index, task in enumerate(tasks):
            for run in range(runs):
                try:
                    result = _one(task, index, run, template, Path(tmp), documents)
                except Exception as exc:  # one broken run must not stop the evaluation
                    result = TaskRun(index, run, False, 0, [f"error: {type(exc).__name__}: "
                                                            f"{exc}"])
                if not keep_transcripts:
                    result.transcript = []
                results.append(result)
                if progress is not None:
                    progress(result)
    n = len(tasks)
    by_task: dict[int, list[bool]] = {}
    for r in results:
        by_task.setdefault(r.task, []).append(r.passed)
    return {
        "tasks_file": str(tasks_file),
        "n_tasks": n,
        "k": runs,
        "pass_1": sum(r.passed for r in results) / max(1, len(results)),
        "pass_k": sum(all(v) for v in by_task.values()) / max(1, n),
        "turns_mean": sum(r.turns for r in results) / max(1, len(results)),
        "seconds": round(time.perf_counter() - started, 1),
        "failures": [{"task": r.task, "run": r.run, "diff": r.diff,
                      **({"transcript": r.transcript} if keep_transcripts else {})}
                     for r in results if not r.passed],
    }


def _one(task: dict[str, Any], index: int, run: int, template: Path, tmp: Path,
         documents: dict[str, Any]) -> TaskRun:
    from kefu.service import Kefu

    db = tmp / f"task-{index}-{run}.sqlite3"
    shutil.copyfile(template, db)
    # the scripted customer writes as fast as kefu answers: no per-customer rate limit
    settings = Settings(database_url=f"sqlite:///{db}", data_dir=tmp, llm="none",
                        retrieval="bm25", rate_per_customer=1_000_000)
    kefu = Kefu.from_settings(settings)
    customer = ScriptedCustomer(task, documents[USERS], documents[ORDERS], documents[PRODUCTS],
                                seed=run * 1000 + index)
    transcript: list[tuple[str, str]] = []
    replies: list[str] = []
    try:
        conv = kefu.conversations.create("api", "en")
        message: str | None = customer.opening()
        turns = 0
        while message is not None and turns < MAX_TURNS:
            answered = kefu.conversations.post(conv.id, message).reply
            reply = answered.text if answered else ""
            transcript.append((message, reply))
            replies.append(reply)
            turns += 1
            message = customer.reply(reply)
        with kefu.factory() as session:
            after = tau_documents(session)
    finally:
        kefu.close()
        db.unlink(missing_ok=True)
    users, orders = replay(documents[USERS], documents[ORDERS], documents[PRODUCTS],
                           task["actions"])
    diff = differences({"users": users, "orders": orders},
                       {"users": after[USERS], "orders": after[ORDERS]})
    passed = not diff and outputs_found(task.get("outputs", []), replies)
    return TaskRun(index, run, passed, turns, diff, transcript)
