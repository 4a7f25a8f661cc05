"""Answers without a language model: the sentences of a retrieved passage that answer the
question, in the passage's own order, cut to a readable length.

A sentence scores by the question's terms it contains (the same tokenisation as the lexical
index, so 保修 and 质保 meet), weighted by how rare each term is within the passage, over the
square root of the sentence's length. The best sentences are kept; a passage that shares no
term with the question (found by meaning, or in the other language) gives its opening
sentences, since retrieval chose the section as a whole.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from kefu.knowledge.tokenize import tokenize

MAX_CHARS = 420
MAX_SENTENCES = 3
_SENTENCE = re.compile(r"(?<=[.!?。！？；;])\s*")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def sentences(text: str) -> list[str]:
    """Sentences of a passage: paragraphs (blank lines) and list items are joined from their
    wrapped lines first, then split after sentence-ending punctuation."""
    out = []
    for block in _blocks(text):
        out += [s.strip() for s in _SENTENCE.split(block) if s and s.strip()]
    return out


def _blocks(text: str) -> list[str]:
    blocks: list[list[str]] = []
    fresh = True
    for line in text.splitlines():
        if not line.strip():
            fresh = True
            continue
        if fresh or _BULLET.match(line):
            blocks.append([])
        blocks[-1].append(_BULLET.sub("", line).strip())
        fresh = False
    return [_join(b) for b in blocks]


def extract_answer(question: str, text: str, max_chars: int = MAX_CHARS) -> str:
    parts = sentences(text)
    if not parts:
        return ""
    terms = set(tokenize(question))
    tokens = [tokenize(s) for s in parts]
    df = Counter(t for ts in tokens for t in set(ts))
    scores = [
        sum(math.log(1 + len(parts) / df[t]) for t in set(ts) & terms) / math.sqrt(len(ts) or 1)
        for ts in tokens
    ]
    order = (sorted(range(len(parts)), key=lambda i: (-scores[i], i)) if max(scores) > 0
             else list(range(len(parts))))
    chosen: list[int] = []
    used = 0
    for i in order:
        full = len(chosen) >= MAX_SENTENCES or used + len(parts[i]) > max_chars
        if chosen and (full or scores[i] == 0 < max(scores)):
            break
        chosen.append(i)
        used += len(parts[i])
    return _join([parts[i] for i in sorted(chosen)])


def _join(parts: list[str]) -> str:
    out = ""
    for p in parts:
        cjk = bool(p) and "\u3400" <= p[0] <= "\u9fff"
        out = p if not out else (out + p if cjk else f"{out} {p}")
    return out
