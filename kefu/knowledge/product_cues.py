"""The words that tell what a product question asks, in English and Chinese, kept as data.

Each cue list holds regular expressions, tried on the lower-cased question. Both languages'
lists are tried whatever the reply language, since customers mix them ("hoodie 有M码吗").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

QuestionKind = Literal["availability", "options", "price", "stock", "compare", "compatibility"]
Direction = Literal["cheaper", "dearer"]

AVAILABILITY = (
    r"\bdo(es)? (you|they|we) (have|sell|carry|offer|make)\b", r"\b(do|does)\b.*\bhave\b",
    r"\bhave you got\b", r"\bgot any\b", r"\bavailable\b", r"\bcomes? in\b", r"\bmade in\b",
    r"\b(is|are) there\b", r"\bcan i (get|buy|order)\b", r"\bany\b.*\?",
    "有没有", "有无", "有卖", "卖不卖", "能买", "可以买", r"有.{0,16}[吗嘛么]",
)
STOCK = (
    r"\bin stock\b", r"\bstock\b", r"\bsold out\b", r"\b(any|how many)\b.*\bleft\b",
    r"\bavailable (now|right now|today)\b", r"\brestock",
    "有货", "没货", "库存", "现货", "缺货", "卖完", "售罄", "断货", "补货", r"还有.{0,16}[吗嘛么]",
)
PRICE = (
    r"\bhow much\b", r"\bprices?\b", r"\bpriced\b", r"\bcosts?\b", r"\bcheap", r"\bexpensive\b",
    r"\bprici", r"\$",
    "多少钱", "价格", "价钱", "价位", "几块", "几元", "多少元", "售价", "便宜", "贵", "多钱",
    "什么价",
)
COMPARE = (
    r"\bcheaper\b", r"\bcheapest\b", r"\b(more|most|less|least) expensive\b", r"\bpricier\b",
    r"\bpriciest\b", r"\bcosts? (more|less)\b", r"\bcompar", r"\bdifferen", r"\bvs\.?\b",
    r"\bversus\b", r"\bwhich (one|of)\b",
    "哪个便宜", "哪个贵", "哪个更", "哪款", "哪一个", "比较", "对比", "区别", "差别", "谁便宜",
    "谁贵", r"比.{1,16}(便宜|贵)",
)
DEARER = (
    r"\b(more|most) expensive\b", r"\bpricier\b", r"\bpriciest\b", r"\bcosts? more\b",
    r"\bdearer\b", r"\bhigher price", r"哪个.{0,2}贵", r"更贵", r"最贵", r"谁贵",
)
COMPATIBILITY = (
    r"\bwork(s|ing)? (with|together|on)\b", r"\bcompatib", r"\bgo(es)? (with|together)\b",
    r"\bpair(s|ed)? with\b", r"\buse[sd]? (it |them |this )?with\b", r"\bgoes well with\b",
    "兼容", "适配", "配合", "搭配", "配套", "一起用", "适用", "匹配", "能配", "配什么", "通用",
)
# "which", "what other" … — asked with an attribute, the question lists that attribute's values.
WHICH = (
    r"\bwhat\b", r"\bwhich\b", r"\bother\b", r"\blist\b", r"\bcomes? in\b", r"\bhow many\b",
    r"\bchoices?\b", r"\boptions?\b",
    "哪些", "什么", "几种", "哪几", "多少种", "别的", "其他", "哪种", "可选", "有几",
)
# Any option at all ("what options", "哪些款式").
ANY_ATTRIBUTE = (
    r"\boptions?\b", r"\bvariants?\b", r"\bchoices?\b", r"\bversions?\b", r"\bmodels?\b",
    r"\bkinds?\b", r"\bstyles?\b",
    "款式", "规格", "选项", "型号", "版本", "种类", "款",
)
# Not a product question: the customer speaks of an order, a delivery or a return.
NOT_PRODUCT_QA = (
    r"\bmy (order|package|parcel|delivery|refund|purchase)\b", r"\brefund", r"\breturn",
    r"\bbroken\b", r"\bdamaged\b", r"\btrack", r"\bship", r"\bdeliver", r"\bexchange\b",
    "订单", "退货", "退款", "退换", "换货", "坏了", "损坏", "物流", "快递", "发货", "到货",
    "我买的", "运费", "配送",
)
# Words pointing back at products already spoken of.
THIS = (r"\bthis\b", r"\bthat\b", r"\bit\b", "这个", "这款", "它", "这件", "这种", "那个", "那款")
THESE = (
    r"\bthese\b", r"\bthose\b", r"\bthem\b", r"\bthey\b", r"\bboth\b", r"\bthe two\b",
    "这两", "那两", "它们", "两个", "两款", "这几", "这些", "两者",
)

# Attribute concepts a customer names, and the catalog keys each stands for: a key is the
# concept, ends with it ("case size") or is listed with it.
ATTRIBUTE_TERMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "color": ((r"\bcolou?rs?\b", r"\bshades?\b"), ("颜色", "配色", "色系", "什么色", "哪些色")),
    "size": ((r"\bsizes?\b", r"\bsizing\b"), ("尺码", "尺寸", "大小", "码数", "几码", "什么码")),
    "material": ((r"\bmaterials?\b", r"\bmade of\b"), ("材质", "材料", "什么做的")),
    "capacity": ((r"\bcapacit(y|ies)\b", r"\bvolumes?\b"), ("容量", "几升")),
}
CONCEPT_KEYS: dict[str, tuple[str, ...]] = {"size": ("waist",), "color": ("shade",)}

# Chinese names of the catalog's option keys, for replies and for questions that name a key.
KEY_ZH: dict[str, str] = {
    "color": "颜色", "size": "尺码", "material": "材质", "capacity": "容量", "switch type": "轴体",
    "backlight": "背光", "case": "充电盒", "case size": "表盘尺寸", "strap": "表带",
    "ports": "接口数", "connectivity": "连接方式", "storage": "存储容量", "resolution": "分辨率",
    "bundle": "套装", "power": "功率", "pack size": "包装数量", "plug type": "插头类型",
    "brightness": "亮度", "scent": "香型", "pieces": "件数", "room size": "适用面积",
    "filter type": "滤网类型", "feature": "功能", "firmness": "软硬度", "diameter": "直径",
    "blade length": "刀刃长度", "handle": "手柄", "stove type": "炉灶类型", "waist": "腰围",
    "fit": "版型", "pack": "包装", "pattern": "图案", "comfort rating": "舒适温度",
    "fuel type": "燃料类型", "skin type": "肤质", "formula": "配方", "protection": "防晒指数",
    "shade": "色号", "finish": "妆效", "brush heads": "刷头", "hair type": "发质",
    "armrests": "扶手", "headrest": "头枕", "ruling": "内页", "nib size": "笔尖", "type": "类型",
    "frame": "边框", "thickness": "厚度", "max weight": "最大重量", "grip size": "握把尺寸",
    "weight": "重量", "surface": "场地",
}


@dataclass(frozen=True)
class Cues:
    """What the words of a question point at, before its products are known."""

    kinds: frozenset[QuestionKind]
    direction: Direction | None
    which: bool  # asks which values exist
    any_attribute: bool  # asks about the options in general
    concepts: tuple[str, ...]  # attribute concepts named ("color", "size")
    this: bool
    these: bool
    off_topic: bool


_KIND_CUES: dict[QuestionKind, tuple[str, ...]] = {
    "availability": AVAILABILITY, "stock": STOCK, "price": PRICE, "compare": COMPARE,
    "compatibility": COMPATIBILITY,
}


def read_cues(question: str) -> Cues:
    text = question.lower()
    kinds = frozenset(k for k, cues in _KIND_CUES.items() if _any(cues, text))
    direction: Direction | None = "dearer" if _any(DEARER, text) else None
    if direction is None and "compare" in kinds:
        direction = "cheaper"
    concepts = tuple(c for c, (en, zh) in ATTRIBUTE_TERMS.items() if _any((*en, *zh), text))
    return Cues(kinds, direction, _any(WHICH, text), _any(ANY_ATTRIBUTE, text), concepts,
                _any(THIS, text), _any(THESE, text), _any(NOT_PRODUCT_QA, text))


def key_named(key: str, question: str) -> bool:
    """Whether the question names the option key itself ("switch type", "背光")."""
    text = question.lower()
    zh = KEY_ZH.get(key)
    return bool(re.search(rf"\b{re.escape(key.lower())}(e?s)?\b", text)) or bool(zh and zh in text)


def concept_keys(concept: str, keys: Iterable[str]) -> list[str]:
    extra = CONCEPT_KEYS.get(concept, ())
    return [k for k in keys if k == concept or k.endswith(" " + concept) or k in extra]


def key_in(key: str, language: str) -> str:
    return KEY_ZH.get(key, key) if language == "zh" else key


def _any(patterns: Iterable[str], text: str) -> bool:
    return any(re.search(p, text) for p in patterns)
