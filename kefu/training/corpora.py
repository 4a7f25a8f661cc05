"""Where training and evaluation data come from: the utterances kefu ships, and the public sets
in ``../shared/data`` (read in place, never copied; absent on most machines)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from kefu.errors import NotFound
from kefu.training.datasets import Example, load_examples

BUILTIN = Path(__file__).resolve().parent.parent / "nlu" / "data"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
# Bitext names one intent in the plural; kefu's taxonomy uses its singular.
ALIASES = {"check_invoices": "check_invoice"}


def canonical(examples: list[Example]) -> list[Example]:
    return [Example(e.text, ALIASES.get(e.label, e.label)) for e in examples]


def builtin_intents() -> list[Example]:
    return [e for lang in ("en", "zh") for e in load_examples(BUILTIN / f"intents_{lang}.csv")]


def builtin_emotions() -> list[Example]:
    return [
        e for lang in ("en", "zh")
        for e in load_examples(BUILTIN / f"emotions_{lang}.csv", label_column="emotion")
    ]


def shared(*parts: str, root: Path | None = None) -> Path:
    path = (root or SHARED).joinpath(*parts)
    if not path.exists():
        raise NotFound(f"{path} is not here: this needs the public data sets in ../shared/data")
    return path


def bitext(root: Path | None = None) -> list[Example]:
    path = shared("bitext", "bitext_customer_support_20k_utterances.csv", root=root)
    return canonical(load_examples(path, label_column="intent"))


def banking77(split: str, root: Path | None = None) -> list[Example]:
    return load_examples(shared("banking77", f"{split}.csv", root=root), label_column="category")


def reviews(
    root: Path | None = None, zh_limit: int = 10000, seed: int = 0
) -> dict[str, list[Example]]:
    """Product reviews labelled positive/negative: Chinese (a balanced sample of ``zh_limit``)
    and English (Amazon and Yelp sentences)."""
    zh: dict[str, list[str]] = {"positive": [], "negative": []}
    with shared("zh_shopping_reviews", "online_shopping_10_cats.csv", root=root).open(
        encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = (row.get("review") or "").strip()
            if text:
                zh["positive" if row["label"] == "1" else "negative"].append(text)
    rng = random.Random(seed)
    half = zh_limit // 2
    zh_sample = [Example(t, label) for label, texts in zh.items()
                 for t in rng.sample(texts, min(half, len(texts)))]
    en: list[Example] = []
    for name in ("amazon_cells_labelled.txt", "yelp_labelled.txt"):
        for line in shared("en_product_reviews", name, root=root).read_text("utf-8").splitlines():
            text, _, label = line.rpartition("\t")
            if text.strip() and label.strip() in {"0", "1"}:
                en.append(Example(text.strip(), "positive" if label.strip() == "1" else "negative"))
    return {"zh": zh_sample, "en": en}
