"""Choosing among overlapping entity candidates: no two reported spans overlap.

The more specific kind wins (order ids, emails and phones, then money and dates, then catalog
matches and names, then quantities and zips); among equals the longer span, then the kind listed
first, then the earlier span.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from kefu.types import Entity

KIND_ORDER: tuple[str, ...] = (
    "order_id", "email", "phone", "money", "date", "product", "option", "person", "quantity",
    "zip",
)
_TIER = {
    "order_id": 0, "email": 0, "phone": 0, "money": 1, "date": 1, "product": 2, "option": 2,
    "person": 2, "quantity": 3, "zip": 3,
}
_RANK = {kind: i for i, kind in enumerate(KIND_ORDER)}


def resolve(candidates: Iterable[Entity]) -> tuple[Entity, ...]:
    """The winners among ``candidates``, sorted by start."""
    ordered = sorted(
        (e for e in candidates if e.end > e.start),
        key=lambda e: (
            _TIER.get(e.kind, 4), e.start - e.end, _RANK.get(e.kind, len(_RANK)), e.start
        ),
    )
    starts: list[int] = []  # the kept spans, sorted and disjoint
    kept: list[Entity] = []
    for e in ordered:
        i = bisect_left(starts, e.start)
        if i > 0 and kept[i - 1].end > e.start:
            continue
        if i < len(kept) and kept[i].start < e.end:
            continue
        starts.insert(i, e.start)
        kept.insert(i, e)
    return tuple(kept)
