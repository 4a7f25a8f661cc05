"""The entity extractor of a running server: every kind, products and options matched against
the catalog as it is now. The lexicon is derived state, rebuilt when the catalog's fingerprint
changes (checked at most every ``check_every_s``), like the knowledge index."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kefu.knowledge.graph import ProductGraph
from kefu.knowledge.product_qa import ProductQA
from kefu.nlu.catalog_match import CatalogLexicon
from kefu.nlu.entities import EntityRecognizer
from kefu.storage.db import storage_errors
from kefu.storage.models import Product, Variant
from kefu.types import Entity, Language, ProductReply


class LiveCatalogExtractor:
    """Entities, and product questions answered from the catalog's graph (both rebuilt
    together when the catalog changes)."""

    def __init__(self, factory: sessionmaker[Session], check_every_s: float = 30.0,
                 clock: Callable[[], float] = time.monotonic, currency: str = "USD") -> None:
        self._currency = currency
        self._qa: ProductQA | None = None
        self._factory = factory
        self._every = check_every_s
        self._clock = clock
        self._lock = threading.Lock()
        self._fingerprint: tuple[object, ...] | None = None
        self._checked_at = float("-inf")
        self.recognizer = EntityRecognizer()

    def extract(self, text: str) -> tuple[Entity, ...]:
        self.refresh()
        return self.recognizer.extract(text)

    def refresh(self, force: bool = False) -> None:
        now = self._clock()
        if not force and now - self._checked_at < self._every:
            return
        with self._lock, storage_errors(), self._factory() as session:
            if not force and now - self._checked_at < self._every:
                return
            self._checked_at = now
            fingerprint = _fingerprint(session)
            if fingerprint != self._fingerprint:
                lexicon = CatalogLexicon.from_session(session)
                self._qa = ProductQA(ProductGraph.from_session(session, lexicon), lexicon,
                                     self._currency)
                self.recognizer.lexicon = lexicon
                self._fingerprint = fingerprint

    def answer(self, question: str, language: Language, context_product: str | None = None,
               *, context_products: Sequence[str] = ()) -> ProductReply | None:
        """A product question answered from the catalog, or None (no product identified)."""
        self.refresh()
        qa = self._qa
        if qa is None:
            return None
        found = qa.answer(question, language, context_product, context_products=context_products)
        return ProductReply(found.text, found.citations) if found else None


def _fingerprint(session: Session) -> tuple[object, ...]:
    products = session.execute(select(
        func.count(), func.max(Product.id),
        func.sum(func.length(Product.name) + func.coalesce(func.length(Product.name_zh), 0)),
    )).one()
    variants = session.execute(select(
        func.count(), func.sum(Variant.price_cents), func.max(Variant.id),
    )).one()
    return (*products, *variants)
