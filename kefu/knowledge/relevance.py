"""When a retrieved passage counts as an answer: the rule every hybrid retriever applies.

A hybrid retriever fuses a lexical ranking and a vector ranking by reciprocal rank (``RRF_K``),
and keeps a candidate only with evidence that it is about the question:

* lexical evidence: it shares a term with the question (kefu.knowledge.tokenize), or
* semantic evidence: the cosine of its vector with the question's reaches the floor of the
  (question's language, passage's language) pair in ``SEMANTIC_FLOORS``.

A question with no word at all (empty, or only punctuation and stop words) gives nothing.

e5's query–passage cosines bunch together (0.75–0.93) and sit at different heights per language
pair: Chinese to Chinese runs about 0.05 higher than English to English, and a question in one
language meets a passage in the other about 0.05 lower. One raw threshold cannot serve them all,
so each pair has its own floor, calibrated for multilingual-e5-small with passages encoded as
``encoder_text`` (title, section, text). On the demo shop's pages, with kefu's own intent
examples as questions (about 530 answerable ones per language: delivery, refund policy, payment,
password, cancellation fee; 217 English and 271 Chinese out-of-scope ones), the floors keep on
semantic evidence alone (``bench/relevance_floors.py`` prints this table):

=========================  ================  ==================
question → passages        answerable kept   out of scope kept
=========================  ================  ==================
English → English pages    0.79              0.06
English → Chinese pages    0.55              0.05
Chinese → English pages    0.65              0.04
Chinese → Chinese pages    0.80              0.04
=========================  ================  ==================

A rule of "best cosine above the query's median cosine by a margin" separates the same
questions worse (area under the ROC curve 0.66–0.88, against 0.91–0.96 for the raw cosine
within a pair), depends on what else is in the corpus, and needs every cosine, which an
approximate index (HNSW) never computes; the floor needs only the candidate's own. Another
encoder needs its own floors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kefu.knowledge.chunking import Chunk

RRF_K = 60
SEMANTIC_FLOORS: Mapping[tuple[str, str], float] = {
    ("en", "en"): 0.85,
    ("zh", "zh"): 0.875,
    ("en", "zh"): 0.815,
    ("zh", "en"): 0.815,
}

_HAN = re.compile(r"[\u3400-\u9fff]")


def query_language(query: str) -> str:
    """The language a question is asked in, as far as the floors care: Chinese if any Han."""
    return "zh" if _HAN.search(query) else "en"


def semantic_floor(query_lang: str, passage_lang: str,
                   floors: Mapping[tuple[str, str], float] = SEMANTIC_FLOORS) -> float:
    """The cosine a passage needs without a shared term; the strictest for a pair not known."""
    return floors.get((query_lang, passage_lang), max(floors.values()))


def is_evidence(lexical_hit: bool, cosine: float, query_lang: str, passage_lang: str,
                floors: Mapping[tuple[str, str], float] = SEMANTIC_FLOORS) -> bool:
    return lexical_hit or cosine >= semantic_floor(query_lang, passage_lang, floors)


def rrf(rank: int) -> float:
    """The reciprocal-rank share of a candidate at ``rank`` (0 = first) in one ranking."""
    return 1.0 / (RRF_K + rank + 1)


def encoder_text(chunk: Chunk) -> str:
    """What the encoder reads of a passage (the floors are calibrated on this form)."""
    return f"{chunk.title}\n{chunk.section}\n{chunk.text}"


def lexical_text(chunk: Chunk) -> str:
    """What the lexical index reads of a passage: the section's name counts twice."""
    return f"{chunk.title}\n{chunk.section}\n{chunk.section}\n{chunk.text}"
