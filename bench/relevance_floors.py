"""How well the semantic floors of kefu.knowledge.relevance tell answerable questions from
unrelated ones, per (question, passage) language pair.

    .venv/bin/python bench/relevance_floors.py

Passages: the demo shop's pages (kefu/demo/content), encoded as hybrid retrievers encode them.
Questions: kefu's own intent examples (kefu/nlu/data): the answerable kinds (delivery, refund
policy, payment methods, password, cancellation fee) against the out-of-scope ones. For each
question, the best cosine among one language's passages. Prints, per pair, the share of each kind
a floor keeps, the separation (area under the ROC curve) of the raw cosine, and, for comparison,
of "best minus the median cosine" (a rule that needs every cosine, so no approximate index).
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import numpy as np

from kefu.knowledge.chunking import split_markdown
from kefu.knowledge.relevance import SEMANTIC_FLOORS, encoder_text
from kefu.nlu.encoder import load_encoder
from kefu.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
ANSWERABLE = {"delivery_period", "delivery_options", "check_refund_policy",
              "check_payment_methods", "recover_password", "check_cancellation_fee"}


def _auc(good: np.ndarray, bad: np.ndarray) -> float:
    return float(np.mean(good[:, None] > bad[None, :]))


def main() -> None:
    settings = Settings()
    encoder = load_encoder(settings.encoder, settings.cache_dir, settings.encoder_threads)
    content = ROOT / "kefu" / "demo" / "content"
    passages = {lang: encoder.encode([encoder_text(c) for p in sorted((content / lang).glob("*.md"))
                                      for c in split_markdown(p.name, p.read_text())], "passage")
                for lang in ("en", "zh")}
    print(f"$ {' '.join(sys.argv)}  ({os.cpu_count()} cores, encoder {settings.encoder})")
    print("question→pages  floor   answerable kept  unrelated kept  AUC raw  AUC best−median")
    for q_lang in ("en", "zh"):
        rows = list(csv.DictReader((ROOT / f"kefu/nlu/data/intents_{q_lang}.csv").open()))
        good = encoder.encode([r["text"] for r in rows if r["intent"] in ANSWERABLE], "query")
        bad = encoder.encode([r["text"] for r in rows if r["intent"] == "out_of_scope"], "query")
        for p_lang, matrix in passages.items():
            g, b = good @ matrix.T, bad @ matrix.T
            floor = SEMANTIC_FLOORS[(q_lang, p_lang)]
            margin_g = g.max(1) - np.median(g, 1)
            margin_b = b.max(1) - np.median(b, 1)
            print(f"{q_lang}→{p_lang} ({len(g)}/{len(b)})  {floor:.3f}   "
                  f"{np.mean(g.max(1) >= floor):15.2f}  {np.mean(b.max(1) >= floor):14.2f}  "
                  f"{_auc(g.max(1), b.max(1)):7.3f}  {_auc(margin_g, margin_b):14.3f}")


if __name__ == "__main__":
    main()
