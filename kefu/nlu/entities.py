"""Rule-based extraction of the entities the first flows need: order ids, emails, zip codes."""

from __future__ import annotations

import re

from kefu.types import Entity

_ORDER_KF = re.compile(r"(?<![A-Za-z0-9])#?(KF\d{8})(?!\d)", re.IGNORECASE)
_ORDER_W = re.compile(r"(?<![A-Za-z0-9])#?(W\d{7})(?!\d)", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_ZIP = re.compile(r"(?<![\d.\-+])(\d{6}|\d{5})(?![\d.])")


class RegexEntityExtractor:
    """Order ids (the demo shop's ``KF12345678`` and tau-bench's ``#W1234567``), emails, zips."""

    def extract(self, text: str) -> tuple[Entity, ...]:
        found: list[Entity] = []
        for m in _ORDER_KF.finditer(text):
            found.append(Entity("order_id", m.group(0), m.start(), m.end(), m.group(1).upper()))
        for m in _ORDER_W.finditer(text):
            found.append(
                Entity("order_id", m.group(0), m.start(), m.end(), "#" + m.group(1).upper())
            )
        for m in _EMAIL.finditer(text):
            found.append(Entity("email", m.group(0), m.start(), m.end(), m.group(0).lower()))
        taken = [(e.start, e.end) for e in found]
        for m in _ZIP.finditer(text):
            if not any(s <= m.start() < e for s, e in taken):
                found.append(Entity("zip", m.group(0), m.start(), m.end(), m.group(1)))
        return tuple(sorted(found, key=lambda e: e.start))
