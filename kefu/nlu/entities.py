"""Entity extraction: every kind of span a customer-service turn needs, in English and Chinese.

Kinds and values (each entity's ``text`` is exactly ``message[start:end]``):

========== ======================================================================================
order_id   "KF20261234", "#W1234567"                                   (identifiers.py)
email      lower case                                                   (identifiers.py)
phone      E.164-like: "+8613812345678", "+14155550100"                 (identifiers.py)
zip        "80279", "200031"                                            (identifiers.py)
person     the name as written: "Noah Brown", "王芳"                      (persons.py)
money      "USD 25.00", "CNY 199.00", "EUR 10.00"                        (money.py)
date       ISO "2026-11-20"; relative dates resolve against ``today``   (dates.py)
quantity   an integer string: "2"                                       (quantities.py)
product    the catalog's product id                                     (catalog_match.py)
option     "key=value" as the catalog spells them: "color=blue"         (catalog_match.py)
========== ======================================================================================

Spans never overlap: the more specific kind wins (see spans.py). Any text — empty, emoji, ten
thousand characters, mixed scripts — gives a tuple and never an exception; every pattern is
linear in the length of the text. The text should be the inbound guard's NFKC form: digits are
read in ASCII only ("１３８…" is a phone once NFKC has made it "138…").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime

from kefu.nlu.catalog_match import CatalogLexicon
from kefu.nlu.dates import find_dates
from kefu.nlu.identifiers import find_emails, find_order_ids, find_phones, find_zips
from kefu.nlu.money import find_money
from kefu.nlu.persons import find_persons
from kefu.nlu.quantities import find_quantities, quantity_before
from kefu.nlu.spans import KIND_ORDER, resolve
from kefu.types import Entity

log = logging.getLogger(__name__)

Finder = Callable[[str], list[Entity]]
LEGACY_KINDS = ("order_id", "email", "zip")
_JOINERS = " ,，、"


class EntityRecognizer:
    """Every entity kind; products and options only when given a :class:`CatalogLexicon`.

    ``today`` fixes the reference date for relative dates ("yesterday", "上周五"); without it
    each call uses ``date.today()``, and ``extract(text, today=...)`` overrides both. ``kinds``
    limits what is reported (overlaps are settled among all kinds first, so a zip never comes
    out of a phone number or an amount). When the catalog changes, build a new lexicon with
    ``CatalogLexicon.from_session`` and assign it to ``lexicon``.
    """

    def __init__(
        self,
        lexicon: CatalogLexicon | None = None,
        today: date | None = None,
        kinds: Iterable[str] | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.today = today
        self.kinds = frozenset(KIND_ORDER if kinds is None else kinds)

    def extract(self, text: str, *, today: date | None = None) -> tuple[Entity, ...]:
        if not text or not isinstance(text, str):
            return ()
        reference = today or self.today or date.today()
        if isinstance(reference, datetime):
            reference = reference.date()

        def find_dates_then(t: str) -> list[Entity]:
            return find_dates(t, reference)

        finders: list[Finder] = [
            find_order_ids, find_emails, find_phones, find_zips, find_money, find_dates_then,
            find_persons, find_quantities,
        ]
        if self.lexicon is not None:
            finders.append(self._catalog)
        candidates: list[Entity] = []
        for finder in finders:
            candidates += _safely(finder, text)
        return tuple(e for e in resolve(candidates) if e.kind in self.kinds)

    def _catalog(self, text: str) -> list[Entity]:
        lexicon = self.lexicon  # read once: a refreshed lexicon may be swapped in meanwhile
        if lexicon is None:
            return []
        found = lexicon.find(text)
        options = {e.end: e for e in found if e.kind == "option"}
        counts = [quantity_before(text, _lead(text, e.start, options)) for e in found
                  if e.kind == "product"]
        return found + [q for q in counts if q is not None]


class RegexEntityExtractor(EntityRecognizer):
    """The first extractor's interface, kept for its callers: without a catalog, and by default
    reporting only what the first flows use (order ids, emails, zips). ``kinds=None`` reports
    every kind the patterns find."""

    def __init__(
        self, today: date | None = None, kinds: Iterable[str] | None = LEGACY_KINDS
    ) -> None:
        super().__init__(lexicon=None, today=today, kinds=kinds)


def _lead(text: str, start: int, options: dict[int, Entity]) -> int:
    """Where a product's description starts: the options written just before its name count
    too ("2 blue wireless earbuds"). ``options`` maps each option's end to it."""
    while True:
        j = start
        while j > 0 and text[j - 1] in _JOINERS:
            j -= 1
        option = options.get(j)
        if option is None or option.start >= start:
            return start
        start = option.start


def _safely(finder: Finder, text: str) -> list[Entity]:
    """A finder's entities, or none if it fails: one bad pattern must not cost the turn."""
    try:
        return finder(text)
    except Exception:  # a bug in one finder; logged, the others still count
        log.exception("entity finder %r failed", getattr(finder, "__name__", finder))
        return []
