"""The chat model on 2 cores: time to first token, tokens/s, LLM turns/s, and answer quality
against the extractive path, on the demo shop.

    .venv/bin/python bench/llm.py [--repeats 3] [--limit N] [--json]

Latency (the embedded model, the bundled Qwen2.5-Coder-0.5B-Instruct GGUF):
- cold: a freshly loaded model's first grounded answer (the system prompt not yet cached);
- warm: later answers to other questions (the fixed system prompt served from llama.cpp's
  prefix cache; only the facts and the question are read);
- tokens/s: pieces generated after the first, per second;
- turns/s: whole persisted turns answered by the model, one after another, against template
  turns (KEFU_LLM=none) measured in the same run.

Quality: every question of kefu/llm/eval/answers.jsonl (written by the project from the demo
shop's pages, both languages, some cross-lingual) is asked in a fresh conversation on the
LLM product and on the extractive one. An answer is correct when each expected fact group
has one of its strings in the reply (the source line excluded). Reported side by side: share
correct, and for the LLM the share answered by the model, the share whose first draft the
verification step rejected, and the share that fell back to the extractive answer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kefu.demo import seed_demo
from kefu.llm.base import ChatMessage
from kefu.llm.embedded import LlamaCppModel
from kefu.llm.model_files import bundled_model
from kefu.llm.prompts import load
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.db import upgrade
from kefu.storage.models import Event


def questions(limit: int | None) -> list[dict[str, Any]]:
    raw = (resources.files("kefu.llm") / "eval" / "answers.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in raw.splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def product(data_dir: Path, llm: str) -> Kefu:
    settings = Settings(data_dir=data_dir, env="dev", llm=llm)  # type: ignore[arg-type]
    upgrade(settings.resolved_database_url)
    kefu = Kefu.from_settings(settings)
    with kefu.factory.begin() as session:
        seed_demo(session)
    kefu.warm()
    return kefu


def correct(text: str, expect: list[list[str]]) -> bool:
    body = text.split("\n\nSource")[0].split("\n\n来源")[0].lower()
    return all(any(alt.lower() in body for alt in group) for group in expect)


def grounded_prompts(kefu: Kefu, rows: list[dict[str, Any]]) -> list[list[ChatMessage]]:
    """The answer prompts the product would send for these questions."""
    from kefu.llm.responder import _facts
    from kefu.pipeline import Prepared
    from kefu.types import State

    out = []
    for row in rows:
        with kefu.factory() as session:
            from kefu.store.database import DatabaseStore

            turn: Prepared = kefu.pipeline.prepare(row["question"], State(language=row["language"]),
                                                   DatabaseStore(session))
        if not (turn.grounding.passages or turn.grounding.product):
            continue
        facts, _, _ = _facts(turn.grounding, turn.inbound.language)
        out.append(load("answer", turn.inbound.language).messages(
            {"shop": kefu.settings.shop_name},
            {"facts": "\n".join(facts), "question": row["question"]}))
    return out


def timed(model: LlamaCppModel, messages: list[ChatMessage]) -> tuple[float, float, int]:
    """Seconds to the first piece, seconds for the rest, pieces after the first."""
    start = time.perf_counter()
    first = None
    count = 0
    for _ in model.stream(messages, max_tokens=64):
        count += 1
        if first is None:
            first = time.perf_counter() - start
    total = time.perf_counter() - start
    assert first is not None
    return first, total - first, count - 1


def latency(gguf: Path, prompts: list[list[ChatMessage]], repeats: int) -> dict[str, float]:
    cold, warm, rates = [], [], []
    for r in range(repeats):
        model = LlamaCppModel(gguf, threads=2)
        model.load()
        first, _, _ = timed(model, prompts[r % len(prompts)])
        cold.append(first)
        for messages in prompts[1:]:
            first, rest, count = timed(model, messages)
            warm.append(first)
            if count and rest > 0:
                rates.append(count / rest)
        model.close()
    warm.sort()
    return {"cold_first_token_s_p50": statistics.median(cold),
            "warm_first_token_s_p50": statistics.median(warm),
            "warm_first_token_s_p95": warm[int(0.95 * (len(warm) - 1))],
            "tokens_per_s_p50": statistics.median(rates)}


def quality(kefu: Kefu, rows: list[dict[str, Any]]) -> dict[str, Any]:
    results = []
    start = time.perf_counter()
    for row in rows:
        conv = kefu.conversations.create("api", row["language"])
        reply = kefu.conversations.post(conv.id, row["question"]).reply
        with kefu.factory() as session:
            gen = session.scalars(select(Event.payload).where(
                Event.conversation_id == conv.id, Event.kind == "generation")).first()
        results.append((row, reply.text, gen or {}))
    seconds = time.perf_counter() - start
    n = len(results)
    return {
        "questions": n,
        "correct": sum(correct(t, r["expect"]) for r, t, _ in results) / n,
        "answered_by_model": sum(g.get("source") == "llm" for _, _, g in results) / n,
        "draft_rejected": sum(bool(g.get("rejected")) for _, _, g in results) / n,
        "fell_back": sum(g.get("fallback") is not None and g.get("source") == "template"
                         for _, _, g in results) / n,
        "turns_per_s": n / seconds,
        "wrong": [(r["question"], t[:160]) for r, t, _ in results
                  if not correct(t, r["expect"])],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = questions(args.limit)
    with tempfile.TemporaryDirectory() as tmp:
        templates = product(Path(tmp) / "none", "none")
        extractive = quality(templates, rows)
        gguf = bundled_model(templates.settings.cache_dir)
        prompts = grounded_prompts(templates, rows)
        templates.close()
        timing = latency(gguf, prompts, args.repeats)
        llm = product(Path(tmp) / "llm", "embedded")
        generated = quality(llm, rows)
        llm.close()
    report = {"latency": timing, "llm": generated, "extractive": extractive,
              "llm_turns_per_s_vs_template": generated["turns_per_s"] / extractive["turns_per_s"]}
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return
    print(f"first token: cold p50 {timing['cold_first_token_s_p50']:.2f} s, warm p50 "
          f"{timing['warm_first_token_s_p50']:.2f} s (p95 "
          f"{timing['warm_first_token_s_p95']:.2f} s); {timing['tokens_per_s_p50']:.1f} tokens/s")
    print(f"turns/s: LLM {generated['turns_per_s']:.2f}, template "
          f"{extractive['turns_per_s']:.1f}")
    print(f"{'path':<12}{'correct':>9}{'by model':>10}{'rejected':>10}{'fell back':>11}")
    print(f"{'LLM':<12}{generated['correct']:>9.3f}{generated['answered_by_model']:>10.3f}"
          f"{generated['draft_rejected']:>10.3f}{generated['fell_back']:>11.3f}")
    print(f"{'extractive':<12}{extractive['correct']:>9.3f}")
    for q, t in generated["wrong"]:
        print(f"  LLM wrong: {q} -> {t!r}")


if __name__ == "__main__":
    main()
