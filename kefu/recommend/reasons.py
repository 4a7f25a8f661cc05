"""Why a product was suggested, said in English and in Chinese.

A :class:`Reason` records the evidence (the product bought, the category, the price gap, the
option); ``texts`` writes it in both languages from the catalogue's names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kefu.recommend.history import History
from kefu.respond.option_terms import option_in
from kefu.respond.phrases import CURRENCY

__all__ = ["CATEGORY_ZH", "Reason", "ReasonKind", "texts"]

ReasonKind = Literal[
    "bought",         # content: like something the customer bought
    "also_bought",    # behaviour: bought together with something the customer bought
    "best_seller",    # the most bought of its category
    "popular_in",     # among the most bought of its category
    "popular",        # bought by many (no category known)
    "pick",           # no evidence beyond the ranking
    "similar",        # like an anchor product
    "cheaper",        # like an anchor product, cheaper
    "with_option",    # like an anchor product, with the wanted option
    "same_product",   # the anchor product itself, in the wanted option
    "request",        # fits what the customer's request says ("something for running")
    "named",          # the product the customer named, in their option when it has it
]

CATEGORY_ZH = {
    "apparel": "服装", "beauty": "美妆个护", "electronics": "数码电子", "home": "家居",
    "kitchen": "厨房用品", "office": "办公用品", "outdoor": "户外用品", "sports": "运动健身",
    "lighting": "灯具照明", "toys": "玩具", "books": "图书", "shoes": "鞋靴", "food": "食品",
}


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    product_id: str | None = None  # the product it is about (bought, anchor)
    category: str | None = None
    cents: int = 0  # how much cheaper
    option: str | None = None  # the option value wanted, in the catalogue's words


def _money(cents: int) -> str:
    return CURRENCY["USD"].format(cents / 100)


def _category(category: str | None, language: str) -> str:
    name = (category or "").strip()
    if language == "zh":
        return CATEGORY_ZH.get(name.lower(), name)
    return name[:1].upper() + name[1:]


def texts(reason: Reason, history: History) -> tuple[str, str]:
    """The reason in English and in Chinese."""
    product = history.products.get(reason.product_id or "")
    en_name = product.display_name("en") if product else ""
    zh_name = product.display_name("zh") if product else ""
    cat_en, cat_zh = _category(reason.category, "en"), _category(reason.category, "zh")
    opt_en = reason.option or ""
    opt_zh = option_in(opt_en, "zh")
    kind = reason.kind
    if kind == "bought":
        return f"because you bought the {en_name}", f"因为您买过{zh_name}"
    if kind == "also_bought":
        return (f"popular with customers who bought the {en_name}",
                f"买过{zh_name}的顾客也常买")
    if kind == "best_seller":
        return f"best seller in {cat_en}", f"{cat_zh}类最畅销"
    if kind == "popular_in":
        return f"popular in {cat_en}", f"{cat_zh}类热销"
    if kind == "popular":
        return "popular with our customers", "深受顾客欢迎"
    if kind == "similar":
        return f"similar to the {en_name}", f"与{zh_name}相似"
    if kind == "cheaper":
        gap = _money(reason.cents)
        en, zh = f"similar to the {en_name} but {gap} cheaper", f"与{zh_name}相似，但便宜{gap}"
        return (f"{en}, in {opt_en}", f"{zh}，有{opt_zh}款") if opt_en else (en, zh)
    if kind == "with_option":
        return f"like the {en_name}, in {opt_en}", f"与{zh_name}相似，有{opt_zh}款"
    if kind == "same_product":
        return f"the {en_name} in {opt_en}", f"{zh_name}的{opt_zh}款"
    if kind == "request":
        return "matches what you asked for", "符合您的需求"
    if kind == "named":
        if not opt_en:
            return "the one you asked about", "您问到的这款"
        values = [v.strip() for v in opt_en.split("/")]
        return (f"the one you asked about, in {' / '.join(values)}",
                f"您问到的这款，{'/'.join(option_in(v, 'zh') for v in values)}有货")
    return "picked for you", "为您精选"
