"""Product answers written from the graph's facts, in English or Chinese.

Every sentence is filled from catalog values only; each builder returns the text with the facts
and citations it used, so the outbound guard (and the tests) can check the reply against them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kefu.knowledge.graph import Compatibility, ProductGraph, VariantRecord
from kefu.knowledge.product_cues import Direction, key_in
from kefu.respond.option_terms import option_in
from kefu.respond.templates import money
from kefu.types import Language

LOW_STOCK = 5  # at or under this many, a reply says "only N left"

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "have": "Yes, we have {product}{cons}: {variants}.",
        "have_product": "Yes, we sell {product}: {price}, {n} of {m} options in stock.",
        "have_product_oos": "We sell {product} ({price}), but every option is out of stock "
                            "right now.",
        "have_oos": "We do make {product}{cons}, but it is out of stock right now: {variants}.",
        "no_value": "Sorry, {product} doesn't come in {value}; its {key} options are {values}.",
        "no_key": "Sorry, {product} doesn't come in {value}. Its options are {summary}.",
        "no_combo": "Sorry, {product} doesn't come in that combination{cons}. The closest "
                    "options: {variants}.",
        "options": "{product}{cons} comes in {parts}.",
        "option_part": "{key}: {values}{oos}",
        "options_oos": " (out of stock: {values})",
        "no_attribute": "{product} has no {key} options; its options are {summary}.",
        "price_one": "{product}{cons} costs {price} ({stock}).",
        "price_range": "{product}{cons} costs {lo} to {hi}: {variants}.",
        "price_same": "{product}{cons} costs {price} in all {m} options: {variants}.",
        "in_stock": "Yes, {product}{cons} is in stock: {variants}.",
        "out_of_stock": "Sorry, {product}{cons} is out of stock right now.",
        "stock_product": "{product} is in stock in {n} of {m} options: {variants}.",
        "cheaper": "{winner} is cheaper, from {price}. Prices: {lines}.",
        "dearer": "{winner} is more expensive, from {price}. Prices: {lines}.",
        "cheapest": "{winner} is the cheapest, from {price}. Prices: {lines}.",
        "dearest": "{winner} is the most expensive, from {price}. Prices: {lines}.",
        "tie": "They start at the same price, {price}. Prices: {lines}.",
        "compat_yes": "Yes: our catalog says {a} goes with {b}: “{evidence}”",
        "compat_unknown": "Our catalog doesn't say that {a} works with {b}, so I can't "
                          "confirm it.",
        "compat_list": "According to our catalog, {a} goes with {others}.",
        "compat_none": "Our catalog doesn't list any product that goes with {a}.",
        "in": "in stock", "low": "only {n} left", "out": "out of stock",
        "more": "and {n} more", "sep": "; ", "and": " and ", "comma": ", ", "or": " or ",
        "cons": " ({pairs})", "pair": "{key}: {value}", "variant": "{label} — {price} ({stock})",
        "variant_bare": "{price} ({stock})", "range": "{lo} to {hi}", "line": "{name}: {range}",
        "summary": "{key} ({values})", "evidence": "{name} (“{evidence}”)",
    },
    "zh": {
        "have": "有的，{product}{cons}有货：{variants}。",
        "have_product": "有的，我们有{product}：{price}，{m} 款中有 {n} 款有货。",
        "have_product_oos": "我们有{product}（{price}），但目前所有款式都缺货。",
        "have_oos": "{product}{cons}有这一款，但目前缺货：{variants}。",
        "no_value": "抱歉，{product}没有{value}款，{key}可选：{values}。",
        "no_key": "抱歉，{product}没有{value}款。可选：{summary}。",
        "no_combo": "抱歉，{product}没有{cons}这个组合。相近的有：{variants}。",
        "options": "{product}{cons}可选{parts}。",
        "option_part": "{key}：{values}{oos}",
        "options_oos": "（{values}暂时缺货）",
        "no_attribute": "{product}没有{key}选项，可选：{summary}。",
        "price_one": "{product}{cons}售价 {price}（{stock}）。",
        "price_range": "{product}{cons}售价 {lo}–{hi}：{variants}。",
        "price_same": "{product}{cons}共 {m} 款，售价均为 {price}：{variants}。",
        "in_stock": "有货，{product}{cons}：{variants}。",
        "out_of_stock": "抱歉，{product}{cons}目前缺货。",
        "stock_product": "{product}共 {m} 款，其中 {n} 款有货：{variants}。",
        "cheaper": "{winner}更便宜，{price}起。价格：{lines}。",
        "dearer": "{winner}更贵，{price}起。价格：{lines}。",
        "cheapest": "{winner}最便宜，{price}起。价格：{lines}。",
        "dearest": "{winner}最贵，{price}起。价格：{lines}。",
        "tie": "它们起价相同，都是 {price}。价格：{lines}。",
        "compat_yes": "可以。根据商品资料，{a}可与{b}搭配使用：“{evidence}”",
        "compat_unknown": "商品资料中没有说明{a}能否与{b}搭配使用，我无法确认。",
        "compat_list": "根据商品资料，{a}可搭配：{others}。",
        "compat_none": "商品资料中没有列出可与{a}搭配的商品。",
        "in": "有货", "low": "仅剩 {n} 件", "out": "缺货",
        "more": "另有 {n} 款", "sep": "；", "and": "、", "comma": "、", "or": "或",
        "cons": "（{pairs}）", "pair": "{key}：{value}", "variant": "{label}：{price}（{stock}）",
        "variant_bare": "{price}（{stock}）", "range": "{lo}–{hi}", "line": "{name}：{range}",
        "summary": "{key}（{values}）", "evidence": "{name}（“{evidence}”）",
    },
}

Wanted = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class ProductFact:
    """One catalog fact an answer states: about a product, one of its variants or an attribute
    value. ``offered=False`` marks what the customer asked for and the catalog does not have."""

    product_id: str
    variant_id: str | None = None
    attribute: str | None = None
    value: str | None = None
    price_cents: int | None = None
    stock: int | None = None
    in_stock: bool | None = None
    offered: bool = True


@dataclass
class Draft:
    sentences: list[str] = field(default_factory=list)
    facts: list[ProductFact] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)

    def cite(self, product_id: str, variant_id: str | None = None) -> None:
        ref = f"catalog:{product_id}" + (f"/{variant_id}" if variant_id else "")
        if ref not in self.citations:
            self.citations.append(ref)


class Writer:
    """Writes the sentences of one answer, in one language, from one graph."""

    def __init__(
        self, graph: ProductGraph, language: Language, currency: str, max_listed: int
    ) -> None:
        self.graph, self.lang, self.currency = graph, language, currency
        self.max_listed = max_listed
        self.p = PHRASES[language]
        self.draft = Draft()

    # answers -----------------------------------------------------------------------------------

    def availability(self, pid: str, wanted: Wanted) -> None:
        if not wanted:
            return self._have_product(pid)
        variants = self.graph.variants(pid, wanted)
        if not variants:
            return self._no_combo(pid, wanted)
        stocked = [v for v in variants if v.in_stock]
        key = "have" if stocked else "have_oos"
        self._say(key, product=self.name(pid), cons=self.cons(wanted),
                  variants=self.variants(pid, stocked or variants, wanted))

    def options(self, pid: str, keys: Sequence[str], wanted: Wanted) -> None:
        if not self.graph.variants(pid, wanted):
            return self._no_combo(pid, wanted)
        parts = []
        for key in keys:
            values = self.graph.values(pid, key, wanted)
            stocked = {v.options.get(key) for v in self.graph.in_stock(pid, wanted)}
            gone = [v for v in values if v not in stocked]
            for value in values:
                self.fact(ProductFact(pid, attribute=key, value=value, in_stock=value in stocked))
            oos = self.p["options_oos"].format(values=self.join(map(self.value, gone)))
            parts.append(self.p["option_part"].format(
                key=key_in(key, self.lang), values=self.join(map(self.value, values)),
                oos=oos if gone else ""))
        self._say("options", product=self.name(pid), cons=self.cons(wanted),
                  parts=self.p["sep"].join(parts))

    def no_attribute(self, pid: str, concept: str) -> None:
        self._say("no_attribute", product=self.name(pid), key=key_in(concept, self.lang),
                  summary=self.summary(pid))

    def missing(self, pid: str, key: str, value: str) -> None:
        """The customer asked for ``key=value`` and the product has no such option."""
        self.fact(ProductFact(pid, attribute=key, value=value, offered=False))
        if key in self.graph.attributes(pid):
            values = self.graph.values(pid, key)
            for v in values:
                self.fact(ProductFact(pid, attribute=key, value=v))
            self._say("no_value", product=self.name(pid), value=self.value(value),
                      key=key_in(key, self.lang),
                      values=self.join(map(self.value, values), self.p["or"]))
        else:
            self._say("no_key", product=self.name(pid), value=self.value(value),
                      summary=self.summary(pid))

    def price(self, pid: str, wanted: Wanted) -> None:
        variants = self.graph.variants(pid, wanted)
        if not variants:
            return self._no_combo(pid, wanted)
        lo, hi = min(v.price_cents for v in variants), max(v.price_cents for v in variants)
        self.fact(ProductFact(pid, attribute="price_from", price_cents=lo))
        self.fact(ProductFact(pid, attribute="price_to", price_cents=hi))
        if lo == hi and len(variants) == 1:
            self.variant_fact(pid, variants[0])
            return self._say("price_one", product=self.name(pid), cons=self.cons(wanted),
                             price=self.money(lo), stock=self.stock_text(variants[0]))
        ranked = sorted(variants, key=lambda v: (not v.in_stock, v.price_cents))
        if lo == hi:
            return self._say("price_same", product=self.name(pid), cons=self.cons(wanted),
                             price=self.money(lo), m=len(variants),
                             variants=self.variants(pid, ranked, wanted))
        self._say("price_range", product=self.name(pid), cons=self.cons(wanted),
                  lo=self.money(lo), hi=self.money(hi), variants=self.variants(pid, ranked, wanted))

    def stock(self, pid: str, wanted: Wanted) -> None:
        variants = self.graph.variants(pid, wanted)
        if not variants:
            return self._no_combo(pid, wanted)
        stocked = [v for v in variants if v.in_stock]
        if not stocked:
            for v in variants:
                self.variant_fact(pid, v)
            return self._say("out_of_stock", product=self.name(pid), cons=self.cons(wanted))
        if wanted:
            return self._say("in_stock", product=self.name(pid), cons=self.cons(wanted),
                             variants=self.variants(pid, stocked, wanted))
        self._say("stock_product", product=self.name(pid), n=len(stocked), m=len(variants),
                  variants=self.variants(pid, stocked, wanted))

    def compare(self, pids: Sequence[str], wanted: Mapping[str, Wanted],
                direction: Direction) -> None:
        ranges = {pid: r for pid in pids if (r := self.graph.price_range(pid, wanted[pid]))}
        ranked = sorted(ranges, key=lambda pid: ranges[pid][0])
        if len(ranked) < 2:
            return self.price(ranked[0], wanted[ranked[0]]) if ranked else None
        for pid in ranked:
            self.fact(ProductFact(pid, attribute="price_from", price_cents=ranges[pid][0]))
            self.fact(ProductFact(pid, attribute="price_to", price_cents=ranges[pid][1]))
        lines = self.p["sep"].join(
            self.p["line"].format(name=self.name(pid, bare=True), range=self.span(*ranges[pid]))
            for pid in ranked)
        lows = [ranges[pid][0] for pid in ranked]
        best = lows[0] if direction == "cheaper" else lows[-1]
        if lows[0] == lows[-1]:
            return self._say("tie", price=self.money(best), lines=lines)
        winners = [pid for pid in ranked if ranges[pid][0] == best]
        key = {"cheaper": ("cheaper", "cheapest"), "dearer": ("dearer", "dearest")}[direction]
        self._say(key[len(ranked) > 2],
                  winner=self.join([self.name(pid) for pid in winners]),
                  price=self.money(best), lines=lines)

    def compatibility(self, a: str, b: str) -> None:
        link = self.graph.compatibility(a, b)
        self.fact(ProductFact(a, attribute="compatible_with", value=b, offered=link is not None))
        self.draft.cite(b)
        if link is None:
            return self._say("compat_unknown", a=self.name(a), b=self.name(b))
        self._say("compat_yes", a=self.name(a), b=self.name(b), evidence=self.evidence(link))

    def compatible_list(self, pid: str) -> None:
        links = self.graph.compatible(pid)
        if not links:
            return self._say("compat_none", a=self.name(pid))
        parts = []
        for link in links[: self.max_listed]:
            other = link.other(pid)
            self.fact(ProductFact(pid, attribute="compatible_with", value=other))
            self.draft.cite(other)
            parts.append(self.p["evidence"].format(name=self.name(other),
                                                   evidence=self.evidence(link)))
        self._say("compat_list", a=self.name(pid), others=self.p["sep"].join(parts))

    # pieces ------------------------------------------------------------------------------------

    def _have_product(self, pid: str) -> None:
        variants = self.graph.variants(pid)
        stocked = [v for v in variants if v.in_stock]
        lo_hi = self.graph.price_range(pid)
        price = self.span(*lo_hi) if lo_hi else "-"
        if lo_hi:
            self.fact(ProductFact(pid, attribute="price_from", price_cents=lo_hi[0]))
            self.fact(ProductFact(pid, attribute="price_to", price_cents=lo_hi[1]))
        for v in stocked:
            self.variant_fact(pid, v)
        key = "have_product" if stocked else "have_product_oos"
        self._say(key, product=self.name(pid), price=price, n=len(stocked), m=len(variants))

    def _no_combo(self, pid: str, wanted: Wanted) -> None:
        """No variant has every option asked for: the variants that have the most of them."""
        def met(v: VariantRecord) -> int:
            return sum(v.options.get(k) in values for k, values in wanted.items())

        best = max((met(v) for v in self.graph.variants(pid)), default=0)
        near = [v for v in self.graph.variants(pid) if best and met(v) == best]
        near.sort(key=lambda v: not v.in_stock)
        for key, values in wanted.items():
            for value in values:
                self.fact(ProductFact(pid, attribute=key, value=value))
        self.fact(ProductFact(pid, attribute="combination", value=_pairs_value(wanted),
                              offered=False))
        self._say("no_combo", product=self.name(pid), cons=self.cons(wanted),
                  variants=self.variants(pid, near, {}))

    def variants(self, pid: str, variants: Sequence[VariantRecord], wanted: Wanted) -> str:
        shown = list(variants)[: self.max_listed]
        parts = []
        for v in shown:
            self.variant_fact(pid, v)
            label = self.label(v, wanted)
            price, stock = self.money(v.price_cents), self.stock_text(v)
            key = "variant" if label else "variant_bare"
            parts.append(self.p[key].format(label=label, price=price, stock=stock))
        if len(variants) > len(shown):
            parts.append(self.p["more"].format(n=len(variants) - len(shown)))
        return self.p["sep"].join(parts)

    def label(self, v: VariantRecord, wanted: Wanted) -> str:
        """The variant's options the question did not fix: values alone, or with their keys
        when a value stands under two keys ("color: white, backlight: white")."""
        shown = [(k, str(x)) for k, x in v.options.items() if len(wanted.get(k, ())) != 1]
        plain = [x.casefold() for _, x in shown]
        if len(set(plain)) == len(plain):
            return self.p["comma"].join(self.value(x) for _, x in shown)
        return self.p["comma"].join(
            self.p["pair"].format(key=key_in(k, self.lang), value=self.value(x)) for k, x in shown)

    def variant_fact(self, pid: str, v: VariantRecord) -> None:
        self.fact(ProductFact(pid, v.id, price_cents=v.price_cents, stock=v.stock,
                              in_stock=v.in_stock))
        self.draft.cite(pid, v.id)

    def fact(self, fact: ProductFact) -> None:
        self.draft.cite(fact.product_id)
        if fact not in self.draft.facts:
            self.draft.facts.append(fact)

    def name(self, pid: str, *, bare: bool = False) -> str:
        product = self.graph.product(pid)
        name = product.display_name(self.lang) if product else pid
        return name if bare or self.lang == "zh" else f"the {name}"

    def cons(self, wanted: Wanted) -> str:
        if not wanted:
            return ""
        pairs = self.p["comma"].join(
            self.p["pair"].format(key=key_in(k, self.lang),
                                  value=self.join([self.value(v) for v in vs], self.p["or"]))
            for k, vs in wanted.items())
        return self.p["cons"].format(pairs=pairs)

    def summary(self, pid: str) -> str:
        return self.p["sep"].join(
            self.p["summary"].format(key=key_in(k, self.lang),
                                     values=self.p["comma"].join(
                                         self.value(v) for v in self.graph.values(pid, k)))
            for k in self.graph.attributes(pid))

    def evidence(self, link: Compatibility) -> str:
        return link.evidence.get(self.lang) or next(iter(link.evidence.values()), "")

    def stock_text(self, v: VariantRecord) -> str:
        if not v.in_stock:
            return self.p["out"]
        if v.stock is not None and v.stock <= LOW_STOCK:
            return self.p["low"].format(n=v.stock)
        return self.p["in"]

    def span(self, lo: int, hi: int) -> str:
        if lo == hi:
            return self.money(lo)
        return self.p["range"].format(lo=self.money(lo), hi=self.money(hi))

    def money(self, cents: int) -> str:
        return money(cents, self.currency)

    def value(self, value: str) -> str:
        return option_in(value, self.lang)

    def join(self, items: Iterable[str], last: str | None = None) -> str:
        items = list(items)
        if len(items) <= 1 or (self.lang == "zh" and last is None):
            return self.p["comma"].join(items)
        return self.p["comma"].join(items[:-1]) + (last or self.p["and"]) + items[-1]

    def _say(self, phrase: str, /, **values: object) -> None:
        text = self.p[phrase].format(**values)
        self.draft.sentences.append(text[:1].upper() + text[1:])


def _pairs_value(wanted: Wanted) -> str:
    return ",".join(f"{k}={'|'.join(vs)}" for k, vs in wanted.items())
