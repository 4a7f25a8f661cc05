"""Word-level matching for catalog names: tokens, a light English stemmer and typo tolerance.

Typo tolerance is a symmetric-delete index over the catalog's own words: a word of six letters
or more may differ from a catalog word by one edit (an insertion, deletion, substitution or a
swap of neighbours), a word of nine or more by two, and must keep its first letter ("keybaord"
finds "keyboard"; "house" never finds "mouse"). Lookups cost a few dictionary probes, not a scan
of the vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+(?:\.\d+)?", re.A)
SYNONYMS = {"gray": "grey", "aluminum": "aluminium", "colour": "color", "colours": "color"}
_MIN_FUZZY = 6
_MIN_FUZZY_2 = 9
_MAX_FUZZY = 24
_CACHE_LIMIT = 4096
_UNKNOWN = "\0"  # not a word: marks a cache miss


@dataclass(frozen=True)
class Token:
    norm: str  # lower case, stemmed
    raw: str  # as written
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Latin words and numbers with their offsets ("10000mAh" gives "10000" and "mah")."""
    out = []
    for m in _TOKEN.finditer(text):
        word = m[0].lower().replace("'", "").replace("’", "")
        out.append(Token(stem(SYNONYMS.get(word, word)), m[0], m.start(), m.end()))
    return out


def norm_words(text: str) -> tuple[str, ...]:
    return tuple(t.norm for t in tokenize(text))


def stem(word: str) -> str:
    """Plural to singular, enough to meet "earbuds"/"earbud", "glasses"/"glass"."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ie") and len(word) > 4:  # "hoodie" and "hoodies" meet at "hoody"
        return word[:-2] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1] if word.endswith("s") else word


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance between ``a`` and ``b``, or ``limit + 1`` if larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    for k in range(1, depth + 1):
        for drop in combinations(range(len(word)), k):
            out.add("".join(ch for i, ch in enumerate(word) if i not in drop))
    return out


class FuzzyVocabulary:
    """The catalog's words, looked up exactly or with a typo."""

    def __init__(self, words: Iterable[str]) -> None:
        self._exact = frozenset(words)
        self._index: dict[str, set[str]] = {}
        for word in self._exact:
            if word.isalpha() and len(word) >= _MIN_FUZZY - 1:
                for d in _deletes(word, 2 if len(word) >= _MIN_FUZZY_2 - 1 else 1):
                    self._index.setdefault(d, set()).add(word)
        self._cache: dict[str, str | None] = {}

    def __contains__(self, word: object) -> bool:
        return word in self._exact

    def lookup(self, word: str) -> str | None:
        """``word`` itself if the catalog has it, else the catalog word it is a typo of."""
        if word in self._exact:
            return word
        if not _MIN_FUZZY <= len(word) <= _MAX_FUZZY or not word.isalpha():
            return None
        found = self._cache.get(word, _UNKNOWN)
        if found is _UNKNOWN:
            found = self._closest(word)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = found
        return found

    def _closest(self, word: str) -> str | None:
        limit = 2 if len(word) >= _MIN_FUZZY_2 else 1
        candidates: set[str] = set()
        for d in _deletes(word, limit):
            candidates |= self._index.get(d, set())
        scored = sorted(
            (edit_distance(word, c, limit), c) for c in candidates if c[0] == word[0]
        )
        return scored[0][1] if scored and scored[0][0] <= limit else None
