"""Numbers as customers write them: digits, English number words and Chinese numerals.

Shared by the date, money and quantity finders. Every parser returns ``None`` for what it cannot
read; none raises.
"""

from __future__ import annotations

ZH_NUMERAL = "[零〇一二两三四五六七八九十百千万]"
"""A regex character class of the characters a Chinese numeral is written with."""

EN_NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20,
}
EN_NUMBER_WORD = "|".join(sorted((w for w in EN_NUMBER_WORDS if len(w) > 2), key=len, reverse=True))
"""A regex alternation of the English number words (not "a"/"an"), longest first."""

_ZH_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
    "八": 8, "九": 9,
}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_MAX_LEN = 12


def zh_int(text: str) -> int | None:
    """The value of a Chinese numeral ("十一" 11, "一百九十九" 199, "两万" 20000, "二〇二六" 2026)
    or of ASCII digits."""
    if not text or len(text) > _MAX_LEN:
        return None
    if text.isascii():
        return int(text) if text.isdigit() else None
    if all(ch in _ZH_DIGITS for ch in text):  # read digit by digit: 二〇二六
        return int("".join(str(_ZH_DIGITS[ch]) for ch in text))
    return _zh_positional(text)


def _zh_positional(text: str) -> int | None:
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            section += (1 if digit is None else digit) * _ZH_UNITS[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10_000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def any_int(text: str) -> int | None:
    """Digits, an English number word or a Chinese numeral, as an int."""
    word = text.strip().lower()
    if word in EN_NUMBER_WORDS:
        return EN_NUMBER_WORDS[word]
    return zh_int(word)
