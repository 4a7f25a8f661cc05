"""Verify a generated answer against its grounding before the customer sees it.

Deterministic checks, no model:

* **Numbers.** Every number in the answer — prices, dates, durations, percentages, counts,
  order numbers — must be a number of the grounding. Digits are compared by value
  (``$1,299.00`` = ``1299``); Chinese numerals (三十天, 百分之十五, 两周) and English number
  words (thirty days, two weeks) count when they carry a unit, so everyday words (一下,
  "no one") are not numbers. Weeks and days convert both ways (两周 = 14 days).
* **Statements.** Every sentence with more than two content words must be backed by a
  grounding sentence in the same language that shares at least half of its content words, and
  that sentence must agree with it on negation (an answer saying "not refundable" needs a "not"
  in its source, and the reverse). An answer in another language than its grounding (a Chinese
  answer from an English page) skips the overlap test: word overlap cannot compare across
  languages. A word repeated over and over, or the question handed back, is refused too.
* **Coverage** (``covers``, on the whole answer): when the facts state numbers, the answer
  must state one of them; otherwise it has talked around the answer.
* **Negative claims.** A sentence that says no ("we do not ship to Canada", 不支持退货) needs a
  negative sentence in its grounding, in either language: the small model's favourite
  invention is a refusal the shop never wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kefu.knowledge.tokenize import tokenize

_DIGITS = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_ZH_NUM = "零〇一二两三四五六七八九十百千万"
_ZH_UNIT = r"(?:个)?(?:工作日|天|日|周|星期|小时|分钟|个月|月|年|元|块|倍|件|次|折|%|％)"
_ZH_NUMERAL = re.compile(rf"(百分之)?([{_ZH_NUM}]+)(?={_ZH_UNIT})|百分之([{_ZH_NUM}]+)")
_EN_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}
_EN_UNIT = r"(?:business |working |calendar )?(?:days?|weeks?|months?|years?|hours?|minutes?|" \
           r"percent|dollars?|times|items?)\b"
_EN_NUMERAL = re.compile(
    rf"\b((?:{'|'.join(_EN_WORDS)})(?:[- ](?:{'|'.join(_EN_WORDS)}))?)\s+(?={_EN_UNIT})", re.I)
_WEEK_UNIT = re.compile(r"\s*(?:个)?(?:weeks?|周|星期)", re.I)
_DAY_UNIT = re.compile(r"\s*(?:business |working |calendar )?(?:days?|天|日|工作日)", re.I)
_CITATION_MARK = re.compile(r"\[\d+\]|【\d+】")
_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]?")
_NEGATION_EN = re.compile(r"\b(?:not|no|never|cannot|can't|won't|don't|doesn't|isn't|aren't|"
                          r"non|without|unable)\b|n't\b|\bnon-", re.I)
_NEGATION_ZH = re.compile(r"不|没|无|非|未|勿|别")
# Words of address that carry no claim: "we", "you", 我们, 您.
_FILLER = frozenset({"we", "you", "your", "our", "us", "我们", "您", "你", "可以", "请"})


@dataclass(frozen=True)
class Verdict:
    ok: bool
    unsupported_numbers: tuple[str, ...] = ()
    unsupported_sentences: tuple[str, ...] = ()


def verify(answer: str, grounding: Iterable[str], question: str = "") -> Verdict:
    """Is every number and statement of ``answer`` supported by ``grounding``?"""
    sources = [g for g in grounding if g.strip()]
    text = _CITATION_MARK.sub("", answer)
    known = set().union(*(numbers(g, generous=True) for g in sources)) if sources else set()
    missing = tuple(sorted(n for n in numbers(text) if n not in known))
    negative_source = any(_negated(s) for src in sources for s in _SENTENCE.findall(src))
    bad = tuple(s for s in _all_sentences(text)
                if (_negated(s) and not negative_source) or not _backed(s, sources)
                or _degenerate(s) or _echoes(s, question))
    return Verdict(not missing and not bad, missing, bad)


def covers(answer: str, grounding: Iterable[str]) -> bool:
    """Does a whole answer state one of its facts' figures, when the facts have any? An answer
    that leaves out every number of a passage about numbers (a deadline, a price, opening
    hours) has not answered: "you can pay with points" for "points cover up to 50 %"."""
    facts = set().union(*(numbers(g) for g in grounding)) if grounding else set()
    return not facts or bool(numbers(answer) & facts)


def numbers(text: str, generous: bool = False) -> set[str]:
    """The numeric values ``text`` states, canonical (``12.5``, ``1299``, ``14``)."""
    values: set[str] = set()
    for m in _DIGITS.finditer(text):
        value = _canon(float(m.group().replace(",", "")))
        values.add(value)
        _add_converted(values, float(m.group().replace(",", "")), text, m.end())
    for m in _ZH_NUMERAL.finditer(text):
        raw = m.group(2) or m.group(3)
        n = zh_numeral(raw)
        if n is not None:
            values.add(_canon(n))
            _add_converted(values, n, text, m.end())
    if generous:  # the grounding: any Chinese numeral counts, unit or not
        for m in re.finditer(f"[{_ZH_NUM}]+", text):
            n = zh_numeral(m.group())
            if n is not None:
                values.add(_canon(n))
    for m in _EN_NUMERAL.finditer(text):
        n = _en_number(m.group(1))
        values.add(_canon(n))
        _add_converted(values, n, text, m.end())
    return values


def _add_converted(values: set[str], n: float, text: str, end: int) -> None:
    """Weeks ↔ days: '2 weeks' also states 14 (days); '14 days' also states 2 (weeks)."""
    rest = text[end:end + 24]
    if _WEEK_UNIT.match(rest):
        values.add(_canon(n * 7))
    elif _DAY_UNIT.match(rest) and n % 7 == 0:
        values.add(_canon(n / 7))


def _canon(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:.6f}".rstrip("0").rstrip(".")


def zh_numeral(text: str) -> float | None:
    """三十 → 30, 一百二十 → 120, 两 → 2, 十五 → 15, 三千五百 → 3500, 二〇二六 → 2026."""
    digits = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
    units = {"十": 10, "百": 100, "千": 1000, "万": 10000}
    if not text or any(c not in digits and c not in units for c in text):
        return None
    if all(c in digits for c in text) and len(text) > 1:  # read digit by digit: 二〇二六
        return float("".join(str(digits[c]) for c in text))
    total, section, current = 0, 0, 0
    for c in text:
        if c in digits:
            current = digits[c]
        elif c == "万":
            total += (section + current) * 10000
            section = current = 0
        else:
            section += (current or 1) * units[c]
            current = 0
    return float(total + section + current)


def _en_number(words: str) -> float:
    parts = re.split(r"[- ]", words.lower())
    n = 0
    for p in parts:
        n = n * 100 if p == "hundred" else n + _EN_WORDS[p]
    return float(n)


def _all_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _is_zh(text: str) -> bool:
    han = sum("\u3400" <= c <= "\u9fff" for c in text)
    return han >= max(2, len(text) // 5)


def _negated(text: str) -> bool:
    return bool(_NEGATION_ZH.search(text) if _is_zh(text) else _NEGATION_EN.search(text))


def _backed(sentence: str, sources: list[str]) -> bool:
    """A same-language source sentence shares half the sentence's content words and agrees
    with it on negation. Two content words or fewer ("Good news!", 好的) pass: no claim."""
    same = [s for src in sources for s in _SENTENCE.findall(src)
            if s.strip() and _is_zh(s) == _is_zh(sentence)]
    if not same:
        return True  # another language's grounding: numbers and negation are all there is
    words = set(tokenize(sentence)) - _FILLER
    if len(words) <= 2:
        return True
    best, score = "", 0.0
    for s in same:
        overlap = len(words & set(tokenize(s))) / len(words)
        if overlap > score:
            best, score = s, overlap
    return score >= 0.5 and _negated(best) == _negated(sentence)


def _degenerate(sentence: str) -> bool:
    """A word said over and over (我们，我们，我们…): the small model's failure mode."""
    words = tokenize(sentence)
    return len(words) >= 6 and max(words.count(w) for w in set(words)) > len(words) / 3


def _echoes(sentence: str, question: str) -> bool:
    """The question handed back as the answer."""
    if not question:
        return False
    words = set(tokenize(sentence))
    asked = set(tokenize(question))
    return bool(words) and len(words & asked) / len(words) >= 0.8 and bool(
        sentence.rstrip().endswith(("?", "？")) or len(words - asked) == 0)
