"""Turn latency and throughput on the demo shop: in-process and over HTTP.

    .venv/bin/python bench/turn.py [--conversations 60] [--repeats 3]

Builds a fresh demo shop in a temporary SQLite file, then runs the same scripted conversations
(greeting, knowledge questions and order-status requests in English and Chinese) three ways:

- pipeline: the turn's stages only, no database writes (the baseline for the ratios);
- in-process: a whole turn as the API runs it (read state, pipeline, one write transaction);
- HTTP: POST /v1/conversations/{id}/messages to a `kefu serve` process (one worker) on
  127.0.0.1, first one client with sequential requests, then --clients concurrent clients.

Prints p50/p95 per turn and turns/s, the medians over --repeats runs. Answers come from the
templates (KEFU_LLM=none): bench/llm.py measures turns answered by the chat model.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import select

from kefu.demo import seed_demo
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.db import upgrade
from kefu.storage.models import Customer, Order
from kefu.store.database import DatabaseStore
from kefu.types import State

Script = list[str]


def scripts(kefu: Kefu, count: int) -> list[Script]:
    """``count`` conversations, alternating English and Chinese customers of the demo shop."""
    with kefu.factory() as session:
        rows = session.execute(
            select(Customer.email, Customer.language, Order.id)
            .join(Order, Order.customer_id == Customer.id)
            .order_by(Order.id).limit(count)
        ).all()
    out: list[Script] = []
    for email, lang, order_id in rows:
        if lang == "zh":
            out.append(["你好", "退货政策是什么？", f"我的订单{order_id}到哪了？邮箱是{email}",
                        "谢谢"])
        else:
            out.append(["hello", "How long does shipping take?",
                        f"Where is my order {order_id}? My email is {email}", "thanks"])
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(
    run_script: Callable[[Script], list[float]], convs: list[Script], clients: int = 1
) -> dict[str, float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = [t for times in pool.map(run_script, convs) for t in times]
    wall = time.perf_counter() - started
    return {
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "turns_per_s": len(latencies) / wall,
    }


def pipeline_only(kefu: Kefu) -> Callable[[Script], list[float]]:
    def run(script: Script) -> list[float]:
        state, times = State(), []
        with kefu.factory() as session:
            store = DatabaseStore(session)
            for text in script:
                t0 = time.perf_counter()
                state = kefu.pipeline.run(text, state, store).decision.state
                times.append(time.perf_counter() - t0)
        return times
    return run


def in_process(kefu: Kefu) -> Callable[[Script], list[float]]:
    def run(script: Script) -> list[float]:
        conv, times = kefu.conversations.create("api"), []
        for text in script:
            t0 = time.perf_counter()
            kefu.conversations.post(conv.id, text)
            times.append(time.perf_counter() - t0)
        return times
    return run


def over_http(client: httpx.Client) -> Callable[[Script], list[float]]:
    def run(script: Script) -> list[float]:
        created = client.post("/v1/conversations", json={}).json()
        url, headers = f"/v1/conversations/{created['id']}/messages", {
            "X-Conversation-Token": created["token"]}
        times = []
        for text in script:
            t0 = time.perf_counter()
            client.post(url, json={"text": text}, headers=headers).raise_for_status()
            times.append(time.perf_counter() - t0)
        return times
    return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KEFU_DATA_DIR": str(data_dir), "KEFU_ENV": "dev", "KEFU_LLM": "none",
           "KEFU_RATE_PER_IP": "0"}  # one client address sends every request
    proc = subprocess.Popen(
        [sys.executable, "-m", "kefu", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("kefu serve did not become ready in 60 s")


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1, help="kefu serve --workers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        settings = Settings(data_dir=data_dir, env="dev", llm="none")  # bench/llm.py: the LLM
        upgrade(settings.resolved_database_url)
        kefu = Kefu.from_settings(settings)
        with kefu.factory.begin() as session:
            seed_demo(session)
        kefu.warm()
        convs = scripts(kefu, args.conversations)
        for warm in (pipeline_only(kefu), in_process(kefu)):
            warm(convs[0])
        results = {
            "pipeline (baseline)": median_of([measure(pipeline_only(kefu), convs)
                                              for _ in range(args.repeats)]),
            "in-process turn": median_of([measure(in_process(kefu), convs)
                                          for _ in range(args.repeats)]),
        }
        port = free_port()
        server = start_server(data_dir, port, args.workers)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                over_http(client)(convs[0])
                results["HTTP turn"] = median_of([measure(over_http(client), convs)
                                                  for _ in range(args.repeats)])
                results[f"HTTP, {args.clients} clients"] = median_of([
                    measure(over_http(client), convs, args.clients) for _ in range(args.repeats)
                ])
        finally:
            server.terminate()
            server.wait(timeout=30)
        kefu.close()
    report(results, args)


def report(results: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
    base = results["pipeline (baseline)"]["p50_ms"]
    print(f"command: python bench/turn.py --conversations {args.conversations} "
          f"--repeats {args.repeats} --clients {args.clients} --workers {args.workers}")
    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}; SQLite; {args.conversations * 4} turns a run, "
          f"medians of {args.repeats} runs")
    print(f"{'path':<22}{'p50 ms':>9}{'p95 ms':>9}{'turns/s':>10}{'p50 / baseline':>16}")
    for name, r in results.items():
        print(f"{name:<22}{r['p50_ms']:>9.2f}{r['p95_ms']:>9.2f}{r['turns_per_s']:>10.1f}"
              f"{r['p50_ms'] / base:>16.2f}")


if __name__ == "__main__":
    main()
