"""Quantities of items: "2 pairs", "x3", "three of them", "qty: 4", "两件", "3个", "一双".

The value is the count as an integer string. A number directly before a product name ("2
keyboards") is a quantity too; the recognizer asks :func:`quantity_before` for it once it knows
where the products are. Digits inside order ids, zips, money, phones and dates are not
quantities: the recognizer lets those win any overlap.
"""

from __future__ import annotations

import re

from kefu.nlu.numbers import EN_NUMBER_WORD, ZH_NUMERAL, any_int
from kefu.types import Entity

_COUNT = rf"(\d{{1,4}}|{EN_NUMBER_WORD})"
_UNITS_EN = (
    r"pairs?|pieces?|pcs|units?|items?|boxes|packs?|bottles?|copies|sets?|packages?|bags?|cans?"
)
_ZH_MEASURE = "件个双只台套盒瓶条本支把副顶包张份组箱袋罐"
_FLAGS = re.IGNORECASE | re.ASCII  # ASCII digits: the inbound text is NFKC
_RULES = [
    re.compile(rf"(?<![A-Za-z0-9.,/$€£¥￥-]){_COUNT}\s{{1,3}}(?:{_UNITS_EN})(?![A-Za-z])", _FLAGS),
    re.compile(r"(?<![A-Za-z0-9])(a)\s{1,3}pair(?![A-Za-z])", _FLAGS),
    re.compile(rf"(?<![A-Za-z0-9]){_COUNT}\s{{1,3}}of\s{{1,3}}(?:them|these|those|it)(?![A-Za-z])",
               _FLAGS),
    re.compile(r"(?<![A-Za-z0-9])(?:qty|quantity)\s{0,3}[:：=]?\s{0,3}(\d{1,4})(?![\d.])", _FLAGS),
    re.compile(r"(?<![A-Za-z0-9])[x×*]\s?(\d{1,3})(?![\d.A-Za-z])", _FLAGS),
    re.compile(r"(?<![A-Za-z0-9.,])(\d{1,3})[x×](?![A-Za-z0-9])", _FLAGS),
    re.compile(
        rf"(?<![\dA-Za-z.,第])(\d{{1,4}}|{ZH_NUMERAL}{{1,4}})\s?[{_ZH_MEASURE}]"
        r"(?!月|星期|礼拜|小时|工作日|钟头|问题|事|疑问|人)",
        _FLAGS,
    ),
]
_BEFORE = re.compile(rf"(?<![A-Za-z0-9.,$€£¥￥-]){_COUNT}\s{{1,3}}$", _FLAGS)


def find_quantities(text: str) -> list[Entity]:
    """Every stated quantity in ``text``."""
    found: list[Entity] = []
    for rule in _RULES:
        for m in rule.finditer(text):
            count = any_int(m[1])
            if count is not None and count > 0:
                found.append(Entity("quantity", m[0], m.start(), m.end(), str(count)))
    return found


def quantity_before(text: str, start: int) -> Entity | None:
    """The number that ends just before ``start`` ("2" in "2 keyboards"), if any."""
    m = _BEFORE.search(text, max(0, start - 16), start)
    if m is None:
        return None
    count = any_int(m[1])
    if count is None or count <= 0:
        return None
    return Entity("quantity", m[1], m.start(1), m.end(1), str(count))
