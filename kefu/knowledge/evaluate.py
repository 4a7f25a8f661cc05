"""Retrieval quality on the demo shop's own pages: recall@1, recall@5 and MRR.

The questions (``kefu/knowledge/eval/questions.jsonl``) are written by the project in the way
customers write, not copied from the pages. Each names its gold passage, a document and a section
(the citation unit of :func:`kefu.knowledge.chunking.split_markdown`), and sometimes ``also``:
other sections that answer it just as fully (the FAQ repeats a policy's answer in short). A
``same`` question is in its gold passage's language; a ``cross`` one is in the other language and
is searched over the gold's language only, which measures cross-lingual matching.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Protocol, cast

from kefu.errors import InvalidInput
from kefu.knowledge.bm25 import SourceDocument
from kefu.knowledge.hybrid import HybridRetriever, Mode
from kefu.knowledge.vector_cache import VectorCache
from kefu.types import Passage

Kind = Literal["same", "cross"]
KINDS: tuple[Kind, ...] = ("same", "cross")
_FIELDS = ("question", "language", "target_language", "doc_id", "section", "kind")


class EvalMode(StrEnum):
    hybrid = "hybrid"
    bm25 = "bm25"
    dense = "dense"
    all = "all"


class Searcher(Protocol):
    def search(self, query: str, language: str | None = None,
               k: int = 3) -> list[Passage]: ...


@dataclass(frozen=True)
class Question:
    question: str
    language: str  # of the question
    target_language: str  # of the gold passage, and the language searched
    doc_id: str
    section: str
    kind: Kind
    also: tuple[tuple[str, str], ...] = ()

    @property
    def gold(self) -> frozenset[tuple[str, str]]:
        """Every (doc_id, section) that counts as a hit."""
        return frozenset({(self.doc_id, self.section), *self.also})


@dataclass(frozen=True)
class Scores:
    n: int
    recall_at_1: float
    recall_at_5: float
    mrr: float

    def as_json(self) -> dict[str, Any]:
        return {"recall_at_1": round(self.recall_at_1, 4),
                "recall_at_5": round(self.recall_at_5, 4), "mrr": round(self.mrr, 4),
                "n": self.n}


@dataclass(frozen=True)
class RetrievalScores(Scores):
    by_kind: dict[str, Scores] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {**super().as_json(),
                "by_kind": {kind: s.as_json() for kind, s in self.by_kind.items()}}


def load_questions(path: Path | None = None) -> list[Question]:
    """The packaged evaluation set, or the JSONL file at ``path``."""
    if path is None:
        text = resources.files("kefu.knowledge.eval").joinpath("questions.jsonl").read_text(
            encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return [_question(line, i) for i, line in enumerate(text.splitlines(), 1) if line.strip()]


def _question(line: str, number: int) -> Question:
    try:
        row = json.loads(line)
        missing = [f for f in _FIELDS if not isinstance(row.get(f), str) or not row[f]]
        if missing or row["kind"] not in KINDS:
            raise ValueError(f"missing or wrong fields: {missing or ['kind']}")
        also = tuple((a["doc_id"], a["section"]) for a in row.get("also", []))
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidInput(f"evaluation question on line {number}: {exc}") from exc
    return Question(row["question"], row["language"], row["target_language"], row["doc_id"],
                    row["section"], row["kind"], also)


def rank_of(passages: Sequence[Passage], question: Question) -> int | None:
    """1-based rank of the first passage that answers ``question``, None when none does."""
    gold = question.gold
    for rank, p in enumerate(passages, 1):
        if (p.doc_id, p.section) in gold:
            return rank
    return None


def evaluate(retriever_factory: Callable[[], Searcher], questions: Sequence[Question],
             k: int = 5) -> RetrievalScores:
    """Search every question (over its gold's language, ``k`` passages) with one retriever from
    ``retriever_factory`` and score the ranks of the gold passages (MRR counts ranks ≤ k)."""
    if k < 5:
        raise ValueError("recall@5 needs k >= 5")
    retriever = retriever_factory()
    ranks = [rank_of(retriever.search(q.question, language=q.target_language, k=k), q)
             for q in questions]
    by_kind: dict[str, Scores] = {
        kind: _scores([r for r, q in zip(ranks, questions, strict=True) if q.kind == kind])
        for kind in KINDS if any(q.kind == kind for q in questions)}
    overall = _scores(ranks)
    return RetrievalScores(overall.n, overall.recall_at_1, overall.recall_at_5, overall.mrr,
                           by_kind)


def evaluate_modes(modes: Sequence[Mode], sources: Sequence[SourceDocument],
                   vectors: VectorCache | None,
                   questions: Sequence[Question]) -> dict[str, RetrievalScores]:
    """Each mode's scores, from a HybridRetriever over ``sources`` in that mode."""
    return {mode: evaluate(partial(HybridRetriever, sources, vectors, mode), questions)
            for mode in modes}


def _scores(ranks: Sequence[int | None]) -> Scores:
    n = len(ranks)
    if n == 0:
        return Scores(0, 0.0, 0.0, 0.0)
    found = [r for r in ranks if r is not None]
    return Scores(n, sum(r == 1 for r in found) / n, sum(r <= 5 for r in found) / n,
                  sum(1.0 / r for r in found) / n)


def demo_sources() -> list[SourceDocument]:
    """The demo shop's pages, as the retrievers index them."""
    from kefu.demo.documents import load_demo_documents

    return [SourceDocument(d.id, d.language, d.content, d.doc_type)
            for d in load_demo_documents()]


def modes_of(mode: EvalMode) -> list[Mode]:
    """The retriever modes ``mode`` names, in the order they are reported."""
    if mode is EvalMode.all:
        return ["bm25", "dense", "hybrid"]
    return [cast(Mode, mode.value)]


def as_json(results: dict[str, RetrievalScores]) -> dict[str, Any]:
    """One mode: its scores with ``mode``; several: each under its name, with the hybrid (or
    last) mode's overall figures at the top level."""
    each = {mode: {"mode": mode, **scores.as_json()} for mode, scores in results.items()}
    if len(each) == 1:
        return next(iter(each.values()))
    headline = each.get("hybrid") or list(each.values())[-1]
    top = {key: headline[key] for key in ("recall_at_1", "recall_at_5", "mrr", "n")}
    return {"mode": "all", **top, **each}


def render(results: dict[str, RetrievalScores], n_questions: int) -> str:
    """A table: one row per mode, overall then each kind."""
    kinds = [k for k in KINDS if any(k in s.by_kind for s in results.values())]
    head = f"{'mode':<8}{'':>3}{'R@1':>7}{'R@5':>7}{'MRR':>7}" + "".join(
        f"  |{kind:>6}{'R@1':>7}{'R@5':>7}{'MRR':>7}" for kind in kinds)
    lines = [f"retrieval over the demo pages, {n_questions} questions", head]
    for mode, s in results.items():
        row = f"{mode:<8}{'':>3}{_cells(s)}"
        for kind in kinds:
            part = s.by_kind.get(kind)
            row += f"  |{(part.n if part else 0):>6}{_cells(part) if part else ''}"
        lines.append(row)
    return "\n".join(lines)


def _cells(s: Scores) -> str:
    return f"{s.recall_at_1:>7.3f}{s.recall_at_5:>7.3f}{s.mrr:>7.3f}"
