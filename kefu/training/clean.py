"""Cleaning labelled utterances: normalise, mask personal data, drop empties, duplicates and
conflicts, and split into train / test keeping each label's share.

Order ids (``KF20261234``, ``#W1234567``) are kept: they identify an order, not a person, and are
useful features. Masked spans become ``<EMAIL>``, ``<PHONE>``, ``<CARD>`` and ``<ID>``.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kefu.errors import InvalidInput
from kefu.training.datasets import Example

PII_KINDS: tuple[str, ...] = ("email", "id", "card", "phone")

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Chinese resident identity number: 17 digits and a check character (digit or X).
_CN_ID = re.compile(r"(?<![A-Za-z0-9])\d{17}[\dXx](?![A-Za-z0-9])")
# 13-19 digits, optionally grouped by single spaces or dashes; kept only when Luhn-valid.
_CARD = re.compile(r"(?<![A-Za-z0-9+])\d(?:[ -]?\d){12,18}(?![0-9])")
# Mainland mobile: 1[3-9] and 9 more digits (groups 3-4-4 allowed), optional +86 / 0086 / 86.
_CN_MOBILE = re.compile(
    r"(?<![A-Za-z0-9+])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9])"
)
# International: + then 8-15 digits with spaces, dashes or brackets between them.
_INTL_PHONE = re.compile(r"(?<![A-Za-z0-9+])\+\d[\d ()\-]{6,24}\d(?![0-9])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), zero-width and control characters removed, Latin letters
    lower-cased (Chinese is unaffected), runs of whitespace collapsed to one space, trimmed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if ch.isspace() or not _invisible(ch))
    return " ".join(text.lower().split())


def _invisible(ch: str) -> bool:
    """Control (Cc), format (Cf: zero-width space/joiners, BOM, bidi marks) or surrogate."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs")


def mask_pii(text: str) -> str:
    """``text`` with emails, identity numbers, card numbers and phone numbers masked."""
    return mask_pii_counted(text)[0]


def mask_pii_counted(text: str) -> tuple[str, Counter[str]]:
    """Like :func:`mask_pii`, with how many spans of each kind (``PII_KINDS``) were masked."""
    counts: Counter[str] = Counter()

    def sub(pattern: re.Pattern[str], kind: str) -> None:
        nonlocal text
        text = pattern.sub(lambda m: _masked(m, kind, counts), text)

    sub(_EMAIL, "email")
    sub(_CN_ID, "id")
    sub(_CARD, "card")
    sub(_CN_MOBILE, "phone")
    sub(_INTL_PHONE, "phone")
    return text, counts


def _masked(match: re.Match[str], kind: str, counts: Counter[str]) -> str:
    span = match.group(0)
    if kind == "id":
        replaced = "<ID>" if cn_id_valid(span) else span
    elif kind == "card":
        replaced = _mask_card(span)
    elif kind == "phone":
        replaced = "<PHONE>" if 8 <= _digit_count(span) <= 15 else span
    else:
        replaced = "<EMAIL>"
    if replaced != span:
        counts[kind] += 1
    return replaced


def _mask_card(span: str) -> str:
    """The longest Luhn-valid 13-19 digit prefix (ending at a group boundary) masked."""
    ends = [i for i in range(len(span), 0, -1) if i == len(span) or span[i] in " -"]
    for end in ends:
        digits = _digits(span[:end])
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            return "<CARD>" + span[end:]
    return span


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _digit_count(text: str) -> int:
    return len(_digits(text))


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum that payment card numbers carry."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def cn_id_valid(number: str) -> bool:
    """An 18-character Chinese resident identity number whose check character matches."""
    if len(number) != 18 or not number[:17].isdigit() or number[0] == "0":
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


@dataclass(frozen=True)
class CleanReport:
    """What :func:`clean` kept and why it dropped the rest."""

    examples: list[Example]
    rows_in: int
    empty_dropped: int
    duplicates_dropped: int
    conflicts_dropped: int
    conflicts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pii_masked: dict[str, int] = field(default_factory=dict)

    @property
    def rows_out(self) -> int:
        return len(self.examples)


def clean(examples: Iterable[Example], mask: bool = True) -> CleanReport:
    """Normalise (and mask) every text, strip labels, then drop rows with an empty text or label,
    exact duplicates (same text and label: the first is kept) and every copy of a text seen with
    more than one label (counted in ``conflicts_dropped``, listed in ``conflicts``)."""
    rows = list(examples)
    counts: Counter[str] = Counter()
    prepared: list[Example] = []
    for row in rows:
        text = normalise(row.text)
        if mask:
            text, found = mask_pii_counted(text)
            counts.update(found)
        prepared.append(Example(text, row.label.strip()))
    kept = [e for e in prepared if e.text and e.label]
    labels = _labels_by_text(kept)
    conflicts = {t: tuple(sorted(ls)) for t, ls in labels.items() if len(ls) > 1}
    unique = list(dict.fromkeys(e for e in kept if e.text not in conflicts))
    conflicted = sum(1 for e in kept if e.text in conflicts)
    return CleanReport(
        examples=unique,
        rows_in=len(rows),
        empty_dropped=len(prepared) - len(kept),
        duplicates_dropped=len(kept) - conflicted - len(unique),
        conflicts_dropped=conflicted,
        conflicts=conflicts,
        pii_masked={kind: counts[kind] for kind in PII_KINDS},
    )


def _labels_by_text(examples: Iterable[Example]) -> dict[str, set[str]]:
    labels: defaultdict[str, set[str]] = defaultdict(set)
    for e in examples:
        labels[e.text].add(e.label)
    return labels


def stratified_split(
    examples: Sequence[Example], test_size: float = 0.2, seed: int = 0
) -> tuple[list[Example], list[Example]]:
    """(train, test): each label contributes ``round(n * test_size)`` of its ``n`` examples to
    test, at least one and at most ``n - 1`` (a label with a single example stays in train).
    Which ones is drawn with ``seed``; both lists keep the input order."""
    if not 0 < test_size < 1:
        raise InvalidInput(f"test size must be between 0 and 1 (exclusive), got {test_size}")
    rng = random.Random(seed)
    by_label: defaultdict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        by_label[e.label].append(i)
    test: set[int] = set()
    for label in sorted(by_label):
        indices = by_label[label]
        test.update(rng.sample(indices, _test_count(len(indices), test_size)))
    train = [e for i, e in enumerate(examples) if i not in test]
    return train, [e for i, e in enumerate(examples) if i in test]


def _test_count(n: int, test_size: float) -> int:
    if n < 2:
        return 0
    return min(n - 1, max(1, int(n * test_size + 0.5)))
