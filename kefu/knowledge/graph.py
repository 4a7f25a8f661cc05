"""A small product knowledge graph, built from the catalog and nothing else.

Nodes and edges (``ProductGraph.edges()`` lists them as :class:`Edge` triples):

- ``product:<id>`` — one per product; ``in_category`` → ``category:<name>``;
- ``variant:<id>`` — one per variant; ``variant_of`` → its product, ``has_value`` →
  ``value:<key>=<value>`` for each of its options. A variant node carries its price, stock and
  availability; a product's price range, attribute values and stock are read off its variants;
- ``compatible_with`` between two products, when the catalog itself says so.

The compatible-with rule: product A is linked to product B when A's own text (its name with its
description) names B — found by the catalog's bilingual product matcher — **in every language
A's text is written in** (English and, when present, Chinese), and the word that names B is not
A's own head noun ("backpack" in the Laptop Backpack's text is the Laptop Backpack). A mention in
one language only is too weak: "a jacket pocket" in the power bank's English text, or "笔记本"
(laptop) in the USB-C hub's Chinese text, name no product. Categories are not used as evidence:
their names ("home", "office") are everyday words. The sentences that name B are kept as the
edge's evidence, per language, and that is all an answer may quote.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kefu.nlu.catalog_match import CatalogLexicon, CatalogProduct
from kefu.nlu.fuzzy import norm_words
from kefu.storage.models import Product

Constraints = Mapping[str, str | Collection[str]]
_SENTENCE = re.compile(r"(?:[^.!?。！？\n]|\.(?=\d))+[.!?。！？]?")


@dataclass(frozen=True)
class VariantRecord:
    id: str
    options: Mapping[str, str]
    price_cents: int
    available: bool = True
    stock: int | None = None  # None: the shop does not count it

    @property
    def in_stock(self) -> bool:
        return self.available and (self.stock is None or self.stock > 0)


@dataclass(frozen=True)
class ProductRecord:
    id: str
    name: str
    name_zh: str | None = None
    category: str | None = None
    description: str | None = None
    description_zh: str | None = None
    variants: tuple[VariantRecord, ...] = ()

    def display_name(self, language: str) -> str:
        return self.name_zh if language == "zh" and self.name_zh else self.name


@dataclass(frozen=True)
class Compatibility:
    """``source``'s own text names ``target``; ``evidence`` holds those sentences by language."""

    source: str
    target: str
    evidence: Mapping[str, str] = field(default_factory=dict)

    def other(self, product_id: str) -> str:
        return self.target if product_id == self.source else self.source


@dataclass(frozen=True)
class Edge:
    source: str
    relation: str  # variant_of | has_value | in_category | compatible_with
    target: str


class ProductGraph:
    """Products, variants and attribute values, with the queries product Q&A needs."""

    def __init__(
        self, products: Iterable[ProductRecord], lexicon: CatalogLexicon | None = None
    ) -> None:
        self._products = {p.id: p for p in products}
        self._lexicon = lexicon or CatalogLexicon(_lexicon_record(p) for p in self)
        self._compat: dict[str, list[Compatibility]] = {pid: [] for pid in self._products}
        for product in self:
            for link in self._links_from(product):
                self._compat[link.source].append(link)
                self._compat[link.target].append(link)

    @classmethod
    def from_session(
        cls, session: Session, lexicon: CatalogLexicon | None = None
    ) -> ProductGraph:
        """The graph of the catalog in the database (every product and variant)."""
        rows = session.scalars(
            select(Product).options(selectinload(Product.variants))
            .order_by(Product.position, Product.id)
        ).all()
        return cls((_record(p) for p in rows), lexicon)

    # nodes -------------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[ProductRecord]:
        return iter(self._products.values())

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._products

    def product(self, product_id: str) -> ProductRecord | None:
        return self._products.get(product_id)

    def edges(self) -> Iterator[Edge]:
        for p in self:
            if p.category:
                yield Edge(f"product:{p.id}", "in_category", f"category:{p.category}")
            for v in p.variants:
                yield Edge(f"variant:{v.id}", "variant_of", f"product:{p.id}")
                for key, value in v.options.items():
                    yield Edge(f"variant:{v.id}", "has_value", f"value:{key}={value}")
            for link in self._compat[p.id]:
                if link.source == p.id:
                    yield Edge(f"product:{p.id}", "compatible_with", f"product:{link.target}")

    # attributes and variants -------------------------------------------------------------------

    def attributes(self, product_id: str) -> list[str]:
        """The product's option keys, in catalog order."""
        return list(dict.fromkeys(k for v in self._variants(product_id) for k in v.options))

    def values(
        self, product_id: str, key: str, constraints: Constraints | None = None
    ) -> list[str]:
        """The values of ``key`` the product's variants (that meet ``constraints``) come in."""
        variants = self.variants(product_id, constraints)
        return list(dict.fromkeys(v.options[key] for v in variants if key in v.options))

    def resolve(self, product_id: str, key: str, value: str) -> tuple[str, str] | None:
        """The product's own spelling of ``key=value``; the same value under another of its keys
        when ``key`` is not one ("white" found as a colour, but the product's is a backlight)."""
        pairs = {(k, v) for var in self._variants(product_id) for k, v in var.options.items()}
        same = [(k, v) for k, v in pairs if v.casefold() == value.casefold()]
        exact = [(k, v) for k, v in same if k.casefold() == key.casefold()]
        best = exact or sorted(same)
        return best[0] if best else None

    def variants(
        self, product_id: str, constraints: Constraints | None = None
    ) -> list[VariantRecord]:
        """The product's variants, in catalog order, whose options meet every constraint (one of
        the values given for each key)."""
        wanted = _normalise(constraints or {})
        return [v for v in self._variants(product_id) if _meets(v, wanted)]

    def in_stock(
        self, product_id: str, constraints: Constraints | None = None
    ) -> list[VariantRecord]:
        return [v for v in self.variants(product_id, constraints) if v.in_stock]

    def price_range(
        self, product_id: str, constraints: Constraints | None = None
    ) -> tuple[int, int] | None:
        prices = [v.price_cents for v in self.variants(product_id, constraints)]
        return (min(prices), max(prices)) if prices else None

    def products_with(self, key: str, value: str) -> list[str]:
        return [p.id for p in self if self.variants(p.id, {key: value})]

    # comparisons -------------------------------------------------------------------------------

    def by_price(self, product_ids: Iterable[str]) -> list[tuple[str, int]]:
        """The products with their starting (lowest) price, cheapest first; those with no
        variants are left out."""
        priced = [(pid, r[0]) for pid in dict.fromkeys(product_ids)
                  if (r := self.price_range(pid)) is not None]
        return sorted(priced, key=lambda item: item[1])

    def cheapest(self, product_ids: Iterable[str]) -> list[str]:
        """The products with the lowest starting price (several when they tie)."""
        return _extreme(self.by_price(product_ids), lowest=True)

    def most_expensive(self, product_ids: Iterable[str]) -> list[str]:
        """The products with the highest starting price: comparisons rank products by the price
        they start from, so "cheaper" and "more expensive" never disagree."""
        return _extreme(self.by_price(product_ids), lowest=False)

    # compatibility -----------------------------------------------------------------------------

    def compatible(self, product_id: str) -> list[Compatibility]:
        return list(self._compat.get(product_id, ()))

    def compatibility(self, a: str, b: str) -> Compatibility | None:
        return next((c for c in self._compat.get(a, ()) if c.other(a) == b), None)

    def _variants(self, product_id: str) -> tuple[VariantRecord, ...]:
        product = self._products.get(product_id)
        return product.variants if product else ()

    def _links_from(self, product: ProductRecord) -> list[Compatibility]:
        texts = {"en": _join(product.name, product.description),
                 "zh": _join(product.name_zh, product.description_zh)}
        found = {lang: self._mentions(product, text) for lang, text in texts.items() if text}
        if not found:
            return []
        shared = set.intersection(*(set(m) for m in found.values()))
        return [Compatibility(product.id, target,
                              {lang: mentions[target] for lang, mentions in found.items()})
                for target in sorted(shared, key=list(self._products).index)]

    def _mentions(self, product: ProductRecord, text: str) -> dict[str, str]:
        """The other products ``text`` names, each with the sentence naming it first."""
        out: dict[str, str] = {}
        for e in self._lexicon.find(text):
            if e.kind == "product" and e.value != product.id and e.value in self._products \
                    and not _own_head(product, e.text):
                out.setdefault(e.value, _sentence_at(text, e.start))
        return out


def _extreme(ranked: list[tuple[str, int]], *, lowest: bool) -> list[str]:
    if not ranked:
        return []
    best = ranked[0][1] if lowest else ranked[-1][1]
    return [pid for pid, price in ranked if price == best]


def _normalise(constraints: Constraints) -> dict[str, frozenset[str]]:
    out = {}
    for key, wanted in constraints.items():
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        out[key.casefold()] = frozenset(v.casefold() for v in values)
    return out


def _meets(variant: VariantRecord, wanted: Mapping[str, frozenset[str]]) -> bool:
    options = {k.casefold(): str(v).casefold() for k, v in variant.options.items()}
    return all(options.get(key) in values for key, values in wanted.items())


def _own_head(product: ProductRecord, mention: str) -> bool:
    """Whether ``mention`` is the product's own head noun (its last English word, or a tail of
    its Chinese name), so the text speaks of the product itself."""
    words, own = norm_words(mention), norm_words(product.name)
    if words and own and words[-1] == own[-1]:
        return True
    compact = "".join(mention.split())
    return bool(product.name_zh and compact and product.name_zh.endswith(compact))


def _sentence_at(text: str, offset: int) -> str:
    for m in _SENTENCE.finditer(text):
        if m.start() <= offset < m.end():
            return m[0].strip()
    return text.strip()


def _join(name: str | None, description: str | None) -> str:
    parts = [s.strip() for s in (name, description) if s and s.strip()]
    return "\n".join(parts)


def _record(p: Product) -> ProductRecord:
    return ProductRecord(
        p.id, p.name, p.name_zh, p.category, p.description, p.description_zh,
        tuple(VariantRecord(v.id, {str(k): str(x) for k, x in (v.options or {}).items()},
                            v.price_cents, v.available, v.stock) for v in p.variants),
    )


def _lexicon_record(p: ProductRecord) -> CatalogProduct:
    return CatalogProduct(p.id, p.name, p.name_zh, tuple(v.options for v in p.variants))
