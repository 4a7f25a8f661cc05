"""Amounts of money with their currency: "$25", "US$25", "25 dollars", "¥199", "199元", "199块",
"一百九十九元", "RMB 50", "€10". The value is "CUR 0.00" ("USD 25.00", "CNY 199.00").

A bare "$" is read as US dollars and "¥" as Chinese yuan (the shops kefu serves price in CNY, not
JPY); "元" and "块" are yuan.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from kefu.nlu.numbers import ZH_NUMERAL, zh_int
from kefu.types import Entity

_CURRENCY = {
    "us$": "USD", "usd": "USD", "$": "USD", "dollar": "USD", "dollars": "USD", "buck": "USD",
    "bucks": "USD", "美元": "USD", "美金": "USD",
    "hk$": "HKD", "hkd": "HKD", "港币": "HKD", "港元": "HKD",
    "rmb": "CNY", "cny": "CNY", "¥": "CNY", "￥": "CNY", "元": "CNY", "块": "CNY", "块钱": "CNY",
    "人民币": "CNY", "yuan": "CNY",
    "eur": "EUR", "€": "EUR", "euro": "EUR", "euros": "EUR", "欧元": "EUR",
    "gbp": "GBP", "£": "GBP", "pound": "GBP", "pounds": "GBP", "英镑": "GBP",
}
_NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d{1,12}(?:\.\d{1,2})?)(?!\d|[.,]\d)"
_PREFIX = r"(US\$|HK\$|USD|HKD|RMB|CNY|EUR|GBP|\$|¥|￥|€|£)"
_SUFFIX = (
    r"(美元|美金|港币|港元|人民币|欧元|英镑|块钱|元|块(?![\u4e00-\u9fff])|块(?=[的吗呢啊吧了呀])"
    r"|(?:dollars?|bucks?|usd|hkd|rmb|cny|yuan|euros?|eur|gbp|pounds?)(?![A-Za-z])|\$|€|£)"
)
_PREFIXED = re.compile(rf"(?<![A-Za-z0-9]){_PREFIX}\s?{_NUM}", re.I | re.A)
_SUFFIXED = re.compile(rf"(?<![\d.,A-Za-z$€£¥￥]){_NUM}\s?{_SUFFIX}", re.I | re.A)
_ZH_WORDS = re.compile(
    rf"({ZH_NUMERAL}{{1,10}})(块钱|美元|欧元|元|块(?![\u4e00-\u9fff])|块(?=[的吗呢啊吧了呀]))"
)


def find_money(text: str) -> list[Entity]:
    """Every amount of money in ``text``."""
    found: list[Entity] = []
    for m in _PREFIXED.finditer(text):
        _add(found, m, m[2], m[1])
    for m in _SUFFIXED.finditer(text):
        _add(found, m, m[1], m[2])
    for m in _ZH_WORDS.finditer(text):
        amount = zh_int(m[1])
        if amount is not None and amount > 0:
            _add(found, m, str(amount), m[2])
    return found


def _add(found: list[Entity], m: re.Match[str], number: str, currency: str) -> None:
    code = _CURRENCY.get(currency.lower())
    value = _amount(number)
    if code is not None and value is not None:
        found.append(Entity("money", m.group(0), m.start(), m.end(), f"{code} {value}"))


def _amount(number: str) -> str | None:
    try:
        return str(Decimal(number.replace(",", "")).quantize(Decimal("0.01")))
    except (InvalidOperation, ValueError):
        return None
