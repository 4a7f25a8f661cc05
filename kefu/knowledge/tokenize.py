"""Tokenisation for lexical search: jieba for Chinese, lower-cased words for English."""

from __future__ import annotations

import re

import jieba

_WORD = re.compile(r"[a-z0-9]+")
_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
_EN_STOP = frozenset(
    "a an the is are was were be been to of in on for and or with my your i you we it this "
    "that do does did can could how what when where which who will would should me our us".split()
)
_ZH_STOP = frozenset(
    "的 了 吗 呢 吧 啊 是 我 你 您 在 有 和 就 都 也 要 会 能 可以 什么 怎么 多少".split()
)

# Words customers use for what the shop's documents call otherwise; both map to one token.
_SAME = {
    "保修": "质保", "保修期": "质保期", "邮费": "运费", "快递费": "运费", "退钱": "退款",
    "送货": "配送", "发货": "配送", "支付": "付款", "postage": "shipping", "delivery": "shipping",
    "guarantee": "warranty",
}

jieba.setLogLevel(60)
for _word in _SAME:
    jieba.add_word(_word)


def tokenize(text: str) -> list[str]:
    """Tokens of ``text`` in either language (mixed text yields both kinds)."""
    lower = text.lower()
    tokens = [_stem(_SAME.get(w, w)) for w in _WORD.findall(lower) if w not in _EN_STOP]
    for run in _HAN_RUN.findall(lower):
        tokens.extend(_SAME.get(t, t) for t in jieba.lcut_for_search(run) if t not in _ZH_STOP)
    return tokens


def _stem(word: str) -> str:
    """A light English stemmer: enough to match ``refunds``/``refunded`` with ``refund``."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def warm_up() -> None:
    """Load jieba's dictionary now, not during the first customer's turn."""
    jieba.initialize()
