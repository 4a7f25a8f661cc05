"""Product names and variant options, matched against the shop's live catalog in both languages.

A :class:`CatalogLexicon` is built once from the catalog (``from_session`` reads the Product and
Variant rows; the plain constructor takes :class:`CatalogProduct` records) and then finds, in a
message:

- products, value the product id: the English name (any case, plurals, one typo per long word:
  "mechanical keybaord") or its tail ("keyboard", "power bank"), the Chinese name or its tail
  in jieba words ("键盘" for 机械键盘). A tail shared by several products ("headphones",
  "耳机") goes to the one whose name it covers most, then to the one first in the catalog: one
  product per span, the others dropped. Tails that are everyday words ("bank", "case", "机器人")
  are not names on their own;
- options, value ``key=value`` as the catalog spells them ("color=blue", "size=M"): the value
  as written ("blue", "XL", "rose gold", "10000mAh"), its Chinese name from ZH_OPTION_TERMS
  ("蓝色", "青轴"), and sizes as Chinese customers write them ("M码", "42码", "尺码M"). Values that
  are also everyday words ("no", "standard", "large", "M", "42") count only next to their key
  ("size M", "large size", "waist 32"). A value under several keys takes the key named next to
  it, else a key of a product named in the same message, else the key most products use.

Only products and options that exist in the catalog are reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import jieba
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kefu.nlu.fuzzy import FuzzyVocabulary, Token, norm_words, tokenize
from kefu.respond.option_terms import ZH_OPTION_TERMS
from kefu.storage.models import Product
from kefu.types import Entity

jieba.setLogLevel(60)

_HAN = re.compile(r"[\u3400-\u9fff]")
_GAP = re.compile(r"[\s\-_/+:°]{0,3}")
_EN_GENERIC = frozenset(
    "set kit pack bank case plug rope desk watch pole maker cream stick".split()
)
_EN_GENERIC_HEADS = frozenset({"set", "kit", "pack"})
_ZH_GENERIC = frozenset("套装 件套 四件套 机器人 用品 电源 化器 风机 发水 子书 支架".split())
_ZH_GENERIC_HEADS = frozenset({"套装", "套"})
_EN_WEAK = frozenset(
    "yes no none standard regular normal fine day night single solid blank high fixed gas dry "
    "soft firm king queen twin mini medium small large long speed dual broad pair lined oily "
    "sensitive indoor outdoor adjustable relaxed weighted".split()
)
_STRONG_SHORT = frozenset({"XS", "XL"})
_ZH_WEAK = frozenset({"标准", "常规", "一双", "正常"})
_SIZE_CUE = ("size",)
_MAX_MODIFIERS = 4


@dataclass(frozen=True)
class CatalogProduct:
    """One product of the catalog as the matcher needs it: names and each variant's options."""

    product_id: str
    name: str
    name_zh: str | None = None
    variants: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class _ProductSense:
    product_id: str
    coverage: float  # the share of the product's name the alias covers
    position: int  # in the catalog


@dataclass(frozen=True)
class _OptionSense:
    key: str
    value: str
    products: frozenset[str]


@dataclass
class _Senses:
    products: list[_ProductSense] = field(default_factory=list)
    options: list[_OptionSense] = field(default_factory=list)
    weak_zh: bool = False


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    senses: _Senses
    first: int = -1  # token range, English matches only
    stop: int = -1


class CatalogLexicon:
    """Finds the catalog's products and options in a message."""

    def __init__(self, products: Iterable[CatalogProduct]) -> None:
        self._en: dict[tuple[str, ...], _Senses] = {}
        self._zh: dict[str, _Senses] = {}
        self._key_words: dict[str, tuple[str, ...]] = {}
        self._count = 0
        option_products: dict[tuple[str, str], set[str]] = {}
        for position, product in enumerate(products):
            self._count += 1
            self._add_product(product, position)
            for variant in product.variants:
                for key, value in variant.items():
                    if str(key).strip() and str(value).strip():
                        option_products.setdefault((str(key), str(value)), set()).add(
                            product.product_id
                        )
        for (key, value), ids in sorted(option_products.items()):
            self._add_option(_OptionSense(key, value, frozenset(ids)))
        self._vocab = FuzzyVocabulary({w for alias in self._en for w in alias})
        self._en_first = frozenset(alias[0] for alias in self._en)
        self._en_longest = max((len(a) for a in self._en), default=0)
        self._zh_first = frozenset(alias[0] for alias in self._zh)
        self._zh_sizes = sorted({len(a) for a in self._zh}, reverse=True)

    @classmethod
    def from_session(cls, session: Session) -> CatalogLexicon:
        """The lexicon of the catalog in the database (products and all their variants)."""
        rows = session.scalars(
            select(Product).options(selectinload(Product.variants))
            .order_by(Product.position, Product.id)
        ).all()
        return cls(
            CatalogProduct(
                p.id, p.name, p.name_zh,
                tuple({str(k): str(value) for k, value in (variant.options or {}).items()}
                      for variant in p.variants),
            )
            for p in rows
        )

    def __len__(self) -> int:
        return self._count

    # building ----------------------------------------------------------------------------------

    def _add_product(self, product: CatalogProduct, position: int) -> None:
        for alias, coverage in _en_product_aliases(product.name).items():
            sense = _ProductSense(product.product_id, coverage, position)
            self._en.setdefault(alias, _Senses()).products.append(sense)
        if product.name_zh:
            for text, coverage in _zh_product_aliases(product.name_zh).items():
                sense = _ProductSense(product.product_id, coverage, position)
                self._zh.setdefault(text, _Senses()).products.append(sense)

    def _add_option(self, sense: _OptionSense) -> None:
        self._key_words.setdefault(sense.key, norm_words(sense.key))
        words = norm_words(sense.value)
        if words:
            self._en.setdefault(words, _Senses()).options.append(sense)
        for text in _zh_option_aliases(sense.key, sense.value):
            senses = self._zh.setdefault(text, _Senses())
            senses.options.append(sense)
            senses.weak_zh = text in _ZH_WEAK

    # matching ----------------------------------------------------------------------------------

    def find(self, text: str) -> list[Entity]:
        """Products and options named in ``text``; spans may overlap (the caller resolves)."""
        tokens = tokenize(text)
        matches = self._scan_en(text, tokens) + self._scan_zh(text)
        found: list[Entity] = []
        mentioned: set[str] = set()
        for m in matches:
            if m.senses.products:
                best = max(m.senses.products, key=lambda s: (s.coverage, -s.position))
                mentioned.add(best.product_id)
                found.append(Entity("product", text[m.start:m.end], m.start, m.end,
                                    best.product_id))
        for m in matches:
            if not m.senses.products and m.senses.options:
                option = self._option(text, tokens, m, mentioned)
                if option is not None:
                    found.append(option)
        return found

    def _scan_en(self, text: str, tokens: list[Token]) -> list[_Match]:
        canon = [self._vocab.lookup(t.norm) or t.norm for t in tokens]
        joined = [
            _GAP.fullmatch(text, tokens[k].end, tokens[k + 1].start) is not None
            for k in range(len(tokens) - 1)
        ]
        out: list[_Match] = []
        i = 0
        while i < len(tokens):
            size = self._longest_en(canon, joined, i) if canon[i] in self._en_first else 0
            if size:
                senses = self._en[tuple(canon[i:i + size])]
                out.append(_Match(tokens[i].start, tokens[i + size - 1].end, senses, i, i + size))
                i += size
            else:
                i += 1
        return out

    def _longest_en(self, canon: list[str], joined: list[bool], i: int) -> int:
        for size in range(min(self._en_longest, len(canon) - i), 0, -1):
            if tuple(canon[i:i + size]) in self._en and all(joined[i:i + size - 1]):
                return size
        return 0

    def _scan_zh(self, text: str) -> list[_Match]:
        index = [k for k, ch in enumerate(text) if not ch.isspace()]
        compact = "".join(text[k].lower() if text[k].isascii() else text[k] for k in index)
        out: list[_Match] = []
        p = 0
        while p < len(compact):
            size = self._longest_zh(compact, p) if compact[p] in self._zh_first else 0
            if size:
                senses = self._zh[compact[p:p + size]]
                out.append(_Match(index[p], index[p + size - 1] + 1, senses))
                p += size
            else:
                p += 1
        return out

    def _longest_zh(self, compact: str, p: int) -> int:
        for size in self._zh_sizes:
            piece = compact[p:p + size]
            if len(piece) == size and piece in self._zh and _bounded(compact, p, size):
                return size
        return 0

    def _option(
        self, text: str, tokens: list[Token], m: _Match, mentioned: set[str]
    ) -> Entity | None:
        pool = self._cued(text, tokens, m) if m.first >= 0 else []
        if not pool:
            if _needs_cue(text, m):
                return None
            pool = [(sense, m.start, m.end) for sense in m.senses.options]
        best, start, end = min(
            pool, key=lambda p: (not (p[0].products & mentioned), -len(p[0].products), p[0].key)
        )
        return Entity("option", text[start:end], start, end, f"{best.key}={best.value}")

    def _cued(
        self, text: str, tokens: list[Token], m: _Match
    ) -> list[tuple[_OptionSense, int, int]]:
        """The senses whose key is written next to the value ("size M", "white backlight"),
        each with the span of value and key; a generic "size" counts when no key does."""
        for generic in (False, True):
            pool = []
            for sense in m.senses.options:
                if generic and not _size_like(sense.key):
                    continue
                cue = _SIZE_CUE if generic else self._key_words[sense.key]
                span = _adjacent(text, tokens, m.first, m.stop, cue)
                if span is not None:
                    pool.append((sense, min(span[0], m.start), max(span[1], m.end)))
            if pool:
                return pool
        return []


def _size_like(key: str) -> bool:
    return "size" in key or key == "waist"


def _adjacent(
    text: str, tokens: list[Token], first: int, stop: int, cue: tuple[str, ...]
) -> tuple[int, int] | None:
    """The span of ``cue`` when its words stand right before or right after tokens
    ``first:stop``."""
    n = len(cue)
    if not n:
        return None
    before = tokens[max(0, first - n):first]
    if len(before) == n and tuple(t.norm for t in before) == cue and _joined(text, before[-1],
                                                                              tokens[first]):
        return before[0].start, before[-1].end
    after = tokens[stop:stop + n]
    if len(after) == n and tuple(t.norm for t in after) == cue and _joined(text, tokens[stop - 1],
                                                                           after[0]):
        return after[0].start, after[-1].end
    return None


def _joined(text: str, left: Token, right: Token) -> bool:
    return _GAP.fullmatch(text, left.end, right.start) is not None


def _bounded(compact: str, p: int, size: int) -> bool:
    """A match that starts or ends with a Latin letter or digit is not part of a longer word."""
    if compact[p].isascii() and compact[p].isalnum() and p > 0:
        prev = compact[p - 1]
        if prev.isascii() and prev.isalnum():
            return False
    last, after = compact[p + size - 1], compact[p + size: p + size + 1]
    return not (last.isascii() and last.isalnum() and after.isascii() and after.isalnum())


def _needs_cue(text: str, m: _Match) -> bool:
    if m.first < 0:
        return m.senses.weak_zh
    return _weak_en(m.senses.options[0].value, text[m.start:m.end])


def _weak_en(value: str, written: str) -> bool:
    """A value that is an everyday word or a bare number counts only next to its key."""
    if value.lower() in _EN_WEAK or value.isdigit():
        return True
    if len(value) <= 2:
        has_digit = any(ch.isdigit() for ch in value)
        return not (has_digit or (written == value and value in _STRONG_SHORT))
    return False


def _en_product_aliases(name: str) -> dict[tuple[str, ...], float]:
    """The name and its shorter forms, each with the share of the name it covers."""
    out: dict[tuple[str, ...], float] = {}

    def add(alias: tuple[str, ...], coverage: float) -> None:
        out[alias] = max(coverage, out.get(alias, 0.0))

    for written in (name, name.replace("-", "")):  # "T-Shirt" and "TShirt"
        words = norm_words(written)
        if not words:
            continue
        add(words, 1.0)
        if len(words) == 2:
            add(("".join(words),), 1.0)  # "smartwatch"
        for short in _short_forms(words, _EN_GENERIC_HEADS):
            single = short[0] if len(short) == 1 else ""
            if single and (len(single) < 4 or single in _EN_GENERIC or single.isdigit()):
                continue
            add(short, len(short) / len(words))
            if len(short) == 2:
                add(("".join(short),), len(short) / len(words))  # "powerbank"
    return out


def _short_forms(words: Sequence[str], generic_heads: frozenset[str]) -> list[tuple[str, ...]]:
    """Shorter forms of a name of ``words``: the head word with any of the words before it, in
    order ("rain jacket", "waterproof jacket", "jacket"); the word before a generic head stands
    in for it ("bath towel" of "Bath Towel Set")."""
    heads = [len(words) - 1]
    if len(words) > 1 and words[-1] in generic_heads:
        heads.append(len(words) - 2)
    out: list[tuple[str, ...]] = []
    for head in heads:
        before = words[:head][-_MAX_MODIFIERS:]
        for k in range(len(before) + 1):
            for picked in combinations(before, k):
                short = (*picked, words[head])
                if short != tuple(words):
                    out.append(short)
    return out


def _compact(text: str) -> str:
    return "".join(ch.lower() if ch.isascii() else ch for ch in text if not ch.isspace())


def _zh_product_aliases(name_zh: str) -> dict[str, float]:
    """The Chinese name and its shorter forms in jieba words ("键盘" of 机械键盘, "无线耳机" of
    无线蓝牙耳机), and the search words that end it ("牙刷" of 电动牙刷)."""
    full = _compact(name_zh)
    if not full:
        return {}
    out = {full: 1.0}
    words = [w for w in (_compact(w) for w in jieba.lcut(name_zh, HMM=False)) if w]
    shorts = ["".join(short) for short in _short_forms(words, _ZH_GENERIC_HEADS)]
    shorts += [c for c in (_compact(w) for w in jieba.lcut_for_search(name_zh, HMM=False))
               if full.endswith(c)]
    for short in shorts:
        if len(short) >= 2 and _HAN.match(short) and short not in _ZH_GENERIC:
            out[short] = len(short) / len(full)
    return out


def _zh_option_aliases(key: str, value: str) -> list[str]:
    out = []
    term = ZH_OPTION_TERMS.get(value.lower())
    if term and len(_compact(term)) >= 2:
        out.append(_compact(term))
    if _size_like(key) and (value.isdigit() or value.upper() == value):
        v = _compact(value)
        out += [f"{v}码", f"{v}号", f"尺码{v}", f"尺寸{v}"]
    return out
