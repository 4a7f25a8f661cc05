"""Retrieval evaluation: the scoring (recall@1, recall@5, MRR) and the packaged question set."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kefu.demo.documents import load_demo_documents
from kefu.errors import InvalidInput
from kefu.knowledge.chunking import split_markdown
from kefu.knowledge.evaluate import (
    EvalMode,
    Kind,
    Question,
    RetrievalScores,
    Scores,
    as_json,
    evaluate,
    load_questions,
    modes_of,
    rank_of,
)
from kefu.types import Passage


class FakeRetriever:
    """Answers each question with fixed (doc_id, section) pairs, recording what it was asked."""

    def __init__(self, answers: dict[str, list[tuple[str, str]]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str | None, int]] = []

    def search(self, query: str, language: str | None = None, k: int = 3) -> list[Passage]:
        self.calls.append((query, language, k))
        return [Passage(d, "t", s, "…", 1.0) for d, s in self.answers[query][:k]]


def _q(text: str, kind: Kind = "same", also: tuple[tuple[str, str], ...] = ()) -> Question:
    target = "zh" if kind == "cross" else "en"
    return Question(text, "en", target, "d.md", "gold", kind, also)


def _noise(n: int) -> list[tuple[str, str]]:
    return [("d.md", f"other {i}") for i in range(n)]


ANSWERS = {
    "first": [("d.md", "gold"), *_noise(4)],  # rank 1
    "third": [*_noise(2), ("d.md", "gold"), *_noise(2)],  # rank 3
    "sixth": [*_noise(5), ("d.md", "gold")],  # rank 6: beyond k=5
    "none": _noise(5),
    "wrong doc": [("e.md", "gold")],  # same section name, other document: a miss
    "also": [*_noise(1), ("faq.md", "twin")],  # rank 2 by an accepted alternative
}


def test_scores_are_exact() -> None:
    questions = [_q("first"), _q("third"), _q("sixth", "cross"), _q("none", "cross")]
    fake = FakeRetriever(ANSWERS)
    scores = evaluate(lambda: fake, questions)
    assert (scores.n, scores.recall_at_1, scores.recall_at_5) == (4, 0.25, 0.5)
    assert scores.mrr == pytest.approx((1 + 1 / 3) / 4)
    same = scores.by_kind["same"]
    assert (same.n, same.recall_at_1, same.recall_at_5) == (2, 0.5, 1.0)
    assert same.mrr == pytest.approx((1 + 1 / 3) / 2)
    assert scores.by_kind["cross"] == Scores(2, 0.0, 0.0, 0.0)
    # every question is searched over its gold's language, five passages deep
    assert fake.calls == [("first", "en", 5), ("third", "en", 5), ("sixth", "zh", 5),
                          ("none", "zh", 5)]


def test_a_hit_needs_the_gold_document_and_section_or_an_accepted_alternative() -> None:
    fake = FakeRetriever(ANSWERS)
    assert rank_of(fake.search("wrong doc"), _q("wrong doc")) is None
    assert rank_of(fake.search("also"), _q("also")) is None
    assert rank_of(fake.search("also"), _q("also", also=(("faq.md", "twin"),))) == 2
    scores = evaluate(lambda: fake, [_q("also", also=(("faq.md", "twin"),))], k=10)
    assert (scores.recall_at_1, scores.recall_at_5, scores.mrr) == (0.0, 1.0, 0.5)
    assert set(scores.by_kind) == {"same"}


def test_a_deeper_search_counts_in_mrr_but_not_in_recall_at_5() -> None:
    scores = evaluate(lambda: FakeRetriever(ANSWERS), [_q("sixth")], k=10)
    assert (scores.recall_at_5, scores.mrr) == (0.0, pytest.approx(1 / 6))
    with pytest.raises(ValueError):
        evaluate(lambda: FakeRetriever(ANSWERS), [_q("first")], k=3)


def test_json_of_one_mode_and_of_all() -> None:
    s = RetrievalScores(3, 1 / 3, 2 / 3, 0.5, {"same": Scores(3, 1 / 3, 2 / 3, 0.5)})
    one = as_json({"bm25": s})
    assert one == {"mode": "bm25", "recall_at_1": 0.3333, "recall_at_5": 0.6667, "mrr": 0.5,
                   "n": 3, "by_kind": {"same": {"recall_at_1": 0.3333, "recall_at_5": 0.6667,
                                                "mrr": 0.5, "n": 3}}}
    best = RetrievalScores(3, 1.0, 1.0, 1.0, {})
    every = as_json({"bm25": s, "dense": s, "hybrid": best})
    assert every["bm25"] == one and every["hybrid"]["mode"] == "hybrid"
    assert (every["recall_at_1"], every["mrr"], every["n"]) == (1.0, 1.0, 3)
    assert modes_of(EvalMode.all) == ["bm25", "dense", "hybrid"]
    assert modes_of(EvalMode.dense) == ["dense"]


def test_a_malformed_question_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"question": "hi", "language": "en"}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="line 1"):
        load_questions(bad)


# The packaged question set


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return load_questions()


def _sections() -> dict[str, set[str]]:
    return {d.id: {c.section for c in split_markdown(d.id, d.content)}
            for d in load_demo_documents()}


def test_the_set_is_large_and_covers_both_kinds_and_languages(questions: list[Question]) -> None:
    assert len(questions) >= 120
    pairs = Counter((q.kind, q.language, q.target_language) for q in questions)
    assert pairs[("same", "en", "en")] >= 40 and pairs[("same", "zh", "zh")] >= 40
    assert pairs[("cross", "zh", "en")] >= 20 and pairs[("cross", "en", "zh")] >= 20
    assert set(pairs) == {("same", "en", "en"), ("same", "zh", "zh"), ("cross", "zh", "en"),
                          ("cross", "en", "zh")}
    assert len({q.question for q in questions}) == len(questions)


def test_every_gold_passage_exists_in_the_demo_pages(questions: list[Question]) -> None:
    sections = _sections()
    for q in questions:
        for doc_id, section in q.gold:
            assert section in sections.get(doc_id, set()), (q.question, doc_id, section)
            assert doc_id.startswith(f"{q.target_language}/"), q.question


def test_every_question_is_written_in_its_language(questions: list[Question]) -> None:
    for q in questions:
        has_han = any("\u4e00" <= ch <= "\u9fff" for ch in q.question)
        assert has_han == (q.language == "zh"), q.question
        assert (q.kind == "cross") == (q.language != q.target_language), q.question


def test_no_question_copies_its_gold_section_heading(questions: list[Question]) -> None:
    for q in questions:
        assert q.question.strip().lower() != q.section.strip().lower(), q.question
