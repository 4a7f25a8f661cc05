"""Questions we cannot answer yet: the unanswered and low-confidence customer messages
(kefu.console.analytics.unanswered) grouped by meaning, biggest group first, each one a click
away from a new FAQ entry that the assistant answers from at once.

Messages are embedded with the product's encoder and grouped by average-linkage agglomerative
clustering on cosine distance, cut at ``SIMILARITY`` (e5's similarities bunch between 0.75 and
0.95, so the cut is high); a Chinese group and an English group that are each other's closest
match across the languages are then joined (``merge_across_languages``). Without an encoder
(the keyword NLU), TF-IDF over the retrieval's tokens stands in.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kefu.console import analytics
from kefu.errors import Conflict, InvalidInput
from kefu.knowledge.tokenize import tokenize
from kefu.nlu.encoder.base import TextEncoder
from kefu.privacy.pii import mask
from kefu.storage.db import storage_errors
from kefu.storage.models import KnowledgeDocument, utcnow

SIMILARITY = 0.9
CROSS_LINGUAL = 0.8
MAX_MESSAGES = 500
EXAMPLES = 5


@dataclass(frozen=True)
class Question:
    text: str
    conversation_id: str
    created_at: str
    language: str | None


def cluster(vectors: np.ndarray, similarity: float = SIMILARITY) -> list[list[int]]:
    """Groups of row indices whose members are on average at least ``similarity`` alike
    (cosine), biggest first."""
    n = len(vectors)
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                    distance_threshold=1 - similarity)
    labels = model.fit_predict(vectors)
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def merge_across_languages(groups: list[list[int]], vectors: np.ndarray,
                           languages: Sequence[str | None],
                           floor: float = CROSS_LINGUAL) -> list[list[int]]:
    """Joins a group with a group of the other language when each is the other's most similar
    (by centroid) and they are at least ``floor`` alike: e5 puts the same question in Chinese
    and English further apart (about 0.83) than different questions in one language, so one
    cut cannot join them, but the mutual best match across languages does."""
    def language(group: list[int]) -> str | None:
        found = {languages[i] for i in group}
        return found.pop() if len(found) == 1 else None

    centres = np.stack([vectors[g].mean(axis=0) for g in groups]) if groups else np.zeros((0, 1))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True) + 1e-12
    sims = centres @ centres.T
    langs = [language(g) for g in groups]

    def best(i: int) -> int | None:
        others = [j for j in range(len(groups))
                  if langs[j] and langs[i] and langs[j] != langs[i]]
        return max(others, key=lambda j: sims[i, j]) if others else None

    merged: list[list[int]] = []
    used: set[int] = set()
    for i in range(len(groups)):
        if i in used:
            continue
        j = best(i)
        if j is not None and j not in used and best(j) == i and sims[i, j] >= floor:
            merged.append(groups[i] + groups[j])
            used.update((i, j))
        else:
            merged.append(groups[i])
            used.add(i)
    return sorted(merged, key=lambda g: (-len(g), min(g)))


def _lexical_vectors(texts: Sequence[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(analyzer=lambda t: tokenize(t) or ["\u2205"]).fit_transform(texts)
    return np.asarray(matrix.todense())


def gap_id(texts: Sequence[str]) -> str:
    """A stable id of a group: its smallest member text, hashed."""
    return "g" + hashlib.sha256(min(texts).encode()).hexdigest()[:10]


class Gaps:
    def __init__(self, factory: sessionmaker[Session],
                 encoder: Callable[[], TextEncoder | None],
                 on_new_document: Callable[[], None]) -> None:
        self._factory = factory
        self._encoder = encoder
        self._changed = on_new_document

    def clusters(self, period: analytics.Period) -> list[dict[str, Any]]:
        found = analytics.unanswered(analytics.load(self._factory, period))
        found.sort(key=lambda cm: cm[1].created_at, reverse=True)
        questions = [Question(mask(m.text.strip()), c.id, m.created_at.isoformat(), m.language)
                     for c, m in found[:MAX_MESSAGES] if m.text.strip()]
        if not questions:
            return []
        texts = [q.text for q in questions]
        encoder = self._encoder()
        vectors = (encoder.encode(texts, "query") if encoder is not None
                   else _lexical_vectors(texts))
        vectors = np.asarray(vectors, dtype=np.float32)
        answered = self._answered()
        out = []
        groups = cluster(vectors, SIMILARITY if encoder is not None else 0.5)
        if encoder is not None:
            groups = merge_across_languages(groups, vectors, [q.language for q in questions])
        for group in groups:
            members = [questions[i] for i in group]
            centre = vectors[group].mean(axis=0)
            medoid = members[int(np.argmax(vectors[group] @ centre))]
            ident = gap_id([q.text for q in members])
            languages = {q.language for q in members if q.language}
            out.append({
                "id": ident, "size": len(members), "label": medoid.text,
                "language": medoid.language if len(languages) <= 1 else "mixed",
                "faq_doc_id": answered.get(ident),
                "examples": [{"text": q.text, "conversation_id": q.conversation_id,
                              "created_at": q.created_at} for q in members[:EXAMPLES]],
            })
        return out

    def _answered(self) -> dict[str, str]:
        with storage_errors(), self._factory() as session:
            ids = session.scalars(select(KnowledgeDocument.id).where(
                KnowledgeDocument.id.like("faq/gap-%"))).all()
        return {i.split("/")[1].split("-", 1)[1].split(".")[0]: i for i in ids}

    def add_faq(self, question: str, answer: str, language: str,
                gap: str | None = None) -> str:
        """A new FAQ entry (a knowledge document of type faq), searchable at once."""
        question, answer = question.strip(), answer.strip()
        if not question or not answer:
            raise InvalidInput("an FAQ entry needs a question and an answer")
        if language not in ("en", "zh"):
            raise InvalidInput("the language is en or zh")
        if len(question) > 300 or len(answer) > 10_000:
            raise InvalidInput("the question is at most 300 characters, the answer 10,000")
        if gap is not None and not re.fullmatch(r"g[0-9a-f]{10}", gap):
            raise InvalidInput("not a gap id")
        slug = f"gap-{gap}" if gap else "entry-" + hashlib.sha256(
            question.encode()).hexdigest()[:10]
        doc_id = f"faq/{slug}.{language}"
        content = f"# {_one_line(question)}\n\n{answer}\n"
        digest = hashlib.sha256(content.encode()).hexdigest()
        with storage_errors(), self._factory.begin() as session:
            if session.get(KnowledgeDocument, doc_id) is not None:
                raise Conflict(f"the FAQ entry {doc_id} exists already")
            twin = session.scalar(select(KnowledgeDocument.id).where(
                KnowledgeDocument.content_hash == digest))
            if twin is not None:
                raise Conflict(f"the same text is already in the knowledge base as {twin!r}")
            session.add(KnowledgeDocument(id=doc_id, title=_one_line(question),
                                          language=language, doc_type="faq", content=content,
                                          content_hash=digest, source=None,
                                          updated_at=utcnow()))
        self._changed()
        return doc_id


def _one_line(text: str) -> str:
    return " ".join(text.split()).lstrip("#").strip()
