"""Product questions answered from the catalog's structure, not from prose.

``ProductQA.answer`` finds the products and options a question names (the catalog lexicon),
reads what it asks from small bilingual cue lists (:mod:`kefu.knowledge.product_cues`) and
answers from the product graph: whether an option or variant exists, which values an attribute
has, prices, stock, which of several products is cheaper, and what the catalog says goes with
what. When no product can be identified — named, or given as the conversation's context — or the
question is not one of these, it answers ``None`` and the caller falls back to retrieval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kefu.knowledge.graph import ProductGraph
from kefu.knowledge.product_cues import (
    Cues,
    QuestionKind,
    concept_keys,
    key_named,
    read_cues,
)
from kefu.knowledge.product_replies import ProductFact, Writer
from kefu.nlu.catalog_match import CatalogLexicon
from kefu.types import Language

__all__ = ["ProductAnswer", "ProductFact", "ProductQA"]

Option = tuple[str, str]


@dataclass(frozen=True)
class ProductAnswer:
    """A reply in the customer's language with the catalog facts it states and their sources
    ("catalog:p1001", "catalog:p1001/v123456")."""

    text: str
    facts: tuple[ProductFact, ...]
    citations: tuple[str, ...]
    kind: QuestionKind
    language: Language

    def variant_ids(self) -> tuple[str, ...]:
        return tuple(f.variant_id for f in self.facts if f.variant_id)


class ProductQA:
    """Answers product questions from a :class:`ProductGraph`; ``lexicon`` finds the products
    and options a question names (build both from the same catalog)."""

    def __init__(
        self,
        graph: ProductGraph,
        lexicon: CatalogLexicon,
        currency: str = "USD",
        max_listed: int = 3,
        max_products: int = 3,
    ) -> None:
        self._graph, self._lexicon, self._currency = graph, lexicon, currency
        self._max_listed, self._max_products = max_listed, max_products

    @classmethod
    def from_session(cls, session: Session, currency: str = "USD") -> ProductQA:
        lexicon = CatalogLexicon.from_session(session)
        return cls(ProductGraph.from_session(session, lexicon), lexicon, currency)

    def answer(
        self,
        question: str,
        language: Language,
        context_product: str | None = None,
        *,
        context_products: Sequence[str] = (),
    ) -> ProductAnswer | None:
        """The answer to ``question`` from the catalog, or None when it is not a product
        question this can answer. ``context_product`` is the product "this one"/"这个"/"它"
        means; ``context_products`` the products recently spoken of, for "these two"/"这两个"."""
        cues = read_cues(question)
        if cues.off_topic:
            return None
        entities = sorted(self._lexicon.find(question), key=lambda e: e.start)
        named = list(dict.fromkeys(
            e.value for e in entities if e.kind == "product" and e.value in self._graph))
        options = list(dict.fromkeys(
            (k, v) for k, _, v in (e.value.partition("=") for e in entities if e.kind == "option")))
        products = self._products(named, cues, context_product, context_products)
        kind = self._kind(cues, products, options, question) if products else None
        if kind is None:
            return None
        writer = Writer(self._graph, language, self._currency, self._max_listed)
        self._write(writer, kind, products, options, cues, question)
        draft = writer.draft
        if not draft.sentences:
            return None
        text = ("" if language == "zh" else " ").join(draft.sentences)
        return ProductAnswer(text, tuple(draft.facts), tuple(draft.citations), kind, language)

    # reading the question ----------------------------------------------------------------------

    def _products(
        self, named: list[str], cues: Cues, context: str | None, recent: Sequence[str]
    ) -> list[str]:
        recent = [p for p in recent if p in self._graph]
        context = context if context in self._graph else None
        several = bool(cues.kinds & {"compare", "compatibility"})
        if named:
            extra = context or next((p for p in recent if p not in named), None)
            if several and len(named) == 1 and cues.this and extra and extra not in named:
                return [extra, *named]
            return named
        if (cues.these or several) and len(recent) >= 2:
            return recent
        return [context] if context else recent[:1]

    def _kind(
        self, cues: Cues, products: list[str], options: list[Option], question: str
    ) -> QuestionKind | None:
        kinds = cues.kinds
        if "compatibility" in kinds and (len(products) >= 2 or not options):
            return "compatibility"
        if len(products) >= 2 and kinds & {"compare", "price"}:
            return "compare"
        keys, lacking = self._asked(products[0], cues, question, options)
        if cues.which and (keys or lacking):
            return "options"
        if "stock" in kinds:
            return "stock"
        if kinds & {"price", "compare"}:
            return "price"
        if "availability" in kinds or options:
            return "availability"
        return None

    def _asked(
        self, pid: str, cues: Cues, question: str, options: list[Option]
    ) -> tuple[list[str], list[str]]:
        """The product's keys whose values the question asks for (not those it names a value
        of), and the attribute concepts it asks about that the product does not have."""
        own = self._graph.attributes(pid)
        given = {r[0] for k, v in options if (r := self._graph.resolve(pid, k, v))}
        keys = [k for k in own if key_named(k, question)]
        lacking = []
        for concept in cues.concepts:
            found = concept_keys(concept, own)
            keys += found
            if not found and concept not in {k for k, _ in options}:
                lacking.append(concept)
        keys = [k for k in dict.fromkeys(keys) if k not in given]
        if not keys and not lacking and cues.any_attribute:
            keys = [k for k in own if k not in given]
        return keys, lacking

    def _wanted(self, pid: str, options: list[Option]) -> tuple[dict[str, list[str]], list[Option]]:
        """The options asked for as the product spells them, and those it does not have."""
        wanted: dict[str, list[str]] = {}
        missing: list[Option] = []
        for key, value in options:
            resolved = self._graph.resolve(pid, key, value)
            if resolved is None:
                missing.append((key, value))
            elif resolved[1] not in wanted.setdefault(resolved[0], []):
                wanted[resolved[0]].append(resolved[1])
        return wanted, missing

    # writing the answer ------------------------------------------------------------------------

    def _write(
        self, w: Writer, kind: QuestionKind, products: list[str], options: list[Option],
        cues: Cues, question: str,
    ) -> None:
        products = products[: self._max_products]
        if kind == "compatibility":
            if len(products) == 1:
                return w.compatible_list(products[0])
            for other in products[1:]:
                w.compatibility(products[0], other)
            return None
        if kind == "compare":
            per_product = {pid: self._wanted(pid, options)[0] for pid in products}
            return w.compare(products, per_product, cues.direction or "cheaper")
        for pid in products:
            wanted, missing = self._wanted(pid, options)
            for key, value in missing:
                w.missing(pid, key, value)
            if missing and not wanted:
                continue
            if kind == "options":
                keys, lacking = self._asked(pid, cues, question, options)
                for concept in lacking:
                    w.no_attribute(pid, concept)
                if keys:
                    w.options(pid, keys, wanted)
            elif kind == "stock":
                w.stock(pid, wanted)
            elif kind == "price":
                w.price(pid, wanted)
            else:
                w.availability(pid, wanted)
        return None
