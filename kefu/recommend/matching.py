"""Which variants of a product satisfy a customer's conditions: stock, size, colour or another
option (in English or Chinese: "blue" / "蓝色" / "蓝"), price range."""

from __future__ import annotations

import re
from collections.abc import Mapping

from kefu.nlu.fuzzy import SYNONYMS
from kefu.recommend.base import Constraints
from kefu.recommend.history import ProductInfo, VariantInfo
from kefu.respond.option_terms import ZH_OPTION_TERMS

__all__ = ["canonical_value", "matching_variants", "pick_variant", "satisfies"]

COLOR_KEYS = frozenset({"color", "colour", "颜色"})
SIZE_KEYS = frozenset({"size", "尺码", "尺寸"})
_CJK = re.compile(r"[\u3400-\u9fff]")
_SIZE_MARKS = re.compile(r"^(尺码|码数)|(码|号|尺码)$")


def _from_chinese() -> dict[str, str]:
    """蓝色 → blue and 蓝 → blue (the first English name wins: 灰色 → grey)."""
    table: dict[str, str] = {}
    for english, chinese in ZH_OPTION_TERMS.items():
        table.setdefault(chinese, english)
        if chinese.endswith("色") and len(chinese) >= 2:
            table.setdefault(chinese[:-1], english)
    return table


FROM_CHINESE = _from_chinese()


def canonical_value(text: str) -> str:
    """An option value in the catalogue's words: lower-case English, British spellings
    (gray → grey), Chinese names read back (蓝色 → blue)."""
    value = " ".join(text.strip().lower().split())
    if _CJK.search(value):
        value = FROM_CHINESE.get(value, FROM_CHINESE.get(value.removesuffix("的"), value))
    return SYNONYMS.get(value, value)


def _canonical_key(key: str) -> str:
    k = canonical_value(key)
    if k in COLOR_KEYS:
        return "color"
    return "size" if k in SIZE_KEYS else k


def _canonical_size(text: str) -> str:
    return _SIZE_MARKS.sub("", text.strip()).strip().upper()


def _value_matches(wanted: str, value: str) -> bool:
    """The wanted value is the variant's, or one of its words ("blue" in "navy blue")."""
    want, have = canonical_value(wanted), canonical_value(value)
    return want == have or want in have.split()


def _option(variant: VariantInfo, key: str) -> str | None:
    for k, v in variant.options.items():
        if _canonical_key(k) == key:
            return v
    return None


def _wanted(constraints: Constraints) -> Mapping[str, str]:
    wanted = {_canonical_key(k): v for k, v in constraints.options.items()}
    if constraints.color:
        wanted["color"] = constraints.color
    return wanted


def satisfies(variant: VariantInfo, constraints: Constraints) -> bool:
    """Whether the variant meets every variant-level condition."""
    c = constraints
    if c.in_stock and not variant.in_stock:
        return False
    if c.min_price_cents is not None and variant.price_cents < c.min_price_cents:
        return False
    if c.max_price_cents is not None and variant.price_cents > c.max_price_cents:
        return False
    if c.size is not None:
        size = _option(variant, "size")
        if size is None or _canonical_size(size) != _canonical_size(c.size):
            return False
    for key, value in _wanted(c).items():
        have = _option(variant, key)
        if have is None or not _value_matches(value, have):
            return False
    return True


def matching_variants(product: ProductInfo, constraints: Constraints) -> list[VariantInfo]:
    """The product's variants that meet the conditions, cheapest first."""
    if not product.variants:
        return []
    found = [v for v in product.variants if satisfies(v, constraints)]
    return sorted(found, key=lambda v: v.price_cents)


def pick_variant(product: ProductInfo, constraints: Constraints) -> tuple[bool, str | None]:
    """Whether the product can be suggested, and the variant to name (the cheapest that fits
    when the conditions name one, else None)."""
    if constraints.category is not None and (product.category or "").lower() != \
            constraints.category.lower():
        return False, None
    if not product.variants:
        return not (constraints.in_stock or constraints.names_a_variant), None
    found = matching_variants(product, constraints)
    if not found:
        return False, None
    return True, found[0].id if constraints.names_a_variant else None
