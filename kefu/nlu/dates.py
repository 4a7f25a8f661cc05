"""Dates in customers' words, absolute and relative, resolved to ISO dates (YYYY-MM-DD).

Relative dates resolve against a reference date (the day the message was written). The rules,
chosen to read as most customers mean them:

- weeks start on Monday; "last week" / "上周", "this week" / "本周", "next week" / "下周" are
  the Monday of that week, "last month" / "上个月" the first day of that month, a weekend its
  Saturday;
- "last Friday" is the most recent Friday strictly before the reference date; "this Friday" the
  Friday of the current week; "next Friday" the Friday of next week (Monday-based); "coming
  Friday" the first Friday after the reference date;
- "上周五" / "上个星期五" is the Friday of the previous week, "这周三" / "本周三" this week's,
  "下周一" next week's (literal calendar weeks, as Chinese means them);
- a date without a year ("11/20", "Nov 20", "11月20日") falls in the ten months before or the two
  months after the reference date: customers mostly speak of orders already placed;
- "11/20" is month/day (US order) unless the first number cannot be a month ("20/11"); without a
  year, common fractions ("1/2", "3/4", "2/3") are not dates.

A bare weekday ("on Friday", "周五") is ambiguous and not reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from kefu.nlu.numbers import EN_NUMBER_WORD, ZH_NUMERAL, any_int, zh_int
from kefu.types import Entity

Resolver = Callable[[re.Match[str], date], date | None]
_AHEAD_DAYS = 60
_FRACTIONS = frozenset({(1, 2), (1, 3), (2, 3), (1, 4), (3, 4), (1, 8), (3, 8), (5, 8), (7, 8)})

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_WEEKDAYS_EN = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
}
_WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_ZH_DAY_WORDS = {
    "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "昨晚": -1, "今天": 0, "今日": 0,
    "今晚": 0, "明天": 1, "明日": 1, "明晚": 1, "后天": 2, "大后天": 3,
}
_EN_DAY_WORDS = {
    "the day before yesterday": -2, "yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1,
    "the day after tomorrow": 2,
}

_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = (
    r"(mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)"
)
_DAY_NUM = r"([12]?\d|3[01])"
_ZH_DAY = rf"([12]?\d|3[01]|{ZH_NUMERAL}{{1,3}})"
_EN_COUNT = rf"(\d{{1,3}}|{EN_NUMBER_WORD}|an?)"
_NB = r"(?![A-Za-z0-9])"  # no letter or digit follows
_NA = r"(?<![A-Za-z0-9])"  # no letter or digit before


def find_dates(text: str, today: date) -> list[Entity]:
    """Every date expression in ``text``, possibly overlapping (the caller keeps the longest)."""
    found: list[Entity] = []
    for pattern, resolve in _RULES:
        for m in pattern.finditer(text):
            day = resolve(m, today)
            if day is not None:
                found.append(Entity("date", m.group(0), m.start(), m.end(), day.isoformat()))
    return found


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _nearest(month: int, day: int, today: date) -> date | None:
    """The yearless date within ``_AHEAD_DAYS`` after ``today`` or a year before that."""
    for year in (today.year + 1, today.year, today.year - 1):
        found = _safe_date(year, month, day)
        if found is not None and (found - today).days <= _AHEAD_DAYS:
            return found
    return None


def _shift_months(day: date, months: int, first: bool = False) -> date | None:
    """``day`` moved by whole months (clipped to the month's end), or that month's first day."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        return None
    if first:
        return date(year, month0 + 1, 1)
    for candidate in range(day.day, min(day.day, 28) - 1, -1):
        found = _safe_date(year, month0 + 1, candidate)
        if found is not None:
            return found
    return None


def _add_days(day: date, days: int) -> date | None:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


# absolute -------------------------------------------------------------------------------------


def _iso(m: re.Match[str], today: date) -> date | None:
    return _safe_date(int(m[1]), int(m[2]), int(m[3]))


def _numeric(m: re.Match[str], today: date) -> date | None:
    first, second = int(m[1]), int(m[2])
    if m[0] == "24/7" or (not m[3] and (first, second) in _FRACTIONS):
        return None
    month, day = (first, second) if first <= 12 else (second, first)
    if m[3]:
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return _safe_date(year, month, day)
    return _nearest(month, day, today)


def _month_name(m: re.Match[str], today: date, month_group: int, day_group: int) -> date | None:
    name = m[month_group]
    if name in ("may", "MAY"):  # "may" is mostly the verb; only "May" is the month
        return None
    month = _MONTHS[name[:3].lower()]
    day, year = int(m[day_group]), m[3]
    return _safe_date(int(year), month, day) if year else _nearest(month, day, today)


def _zh_absolute(m: re.Match[str], today: date) -> date | None:
    month, day = zh_int(m[2]), zh_int(m[3])
    if month is None or day is None:
        return None
    if m[1]:
        year = zh_int(m[1])
        return _safe_date(year, month, day) if year else None
    return _nearest(month, day, today)


# relative, English ------------------------------------------------------------------------------


def _en_day_word(m: re.Match[str], today: date) -> date | None:
    return _add_days(today, _EN_DAY_WORDS[" ".join(m[0].lower().split())])


def _en_weekday(m: re.Match[str], today: date) -> date | None:
    which, weekday = m[1].lower(), _WEEKDAYS_EN[m[2][:3].lower()]
    if which == "last":
        back = (today.weekday() - weekday) % 7 or 7
        return _add_days(today, -back)
    if which == "coming":
        return _add_days(today, (weekday - today.weekday()) % 7 or 7)
    if which == "this":
        return _add_days(monday_of(today), weekday)
    return _add_days(monday_of(today), 7 + weekday)


def _en_period(m: re.Match[str], today: date) -> date | None:
    step = {"last": -1, "this": 0, "next": 1}[m[1].lower()]
    unit = m[2].lower()
    if unit == "month":
        return _shift_months(today, step, first=True)
    offset = 5 if unit == "weekend" else 0
    return _add_days(monday_of(today), 7 * step + offset)


def _en_ago(m: re.Match[str], today: date) -> date | None:
    count = any_int(m[1])
    if count is None:
        return None
    sign = -1 if m[3].lower() in ("ago", "before") else 1
    return _offset(today, sign * count, m[2].lower())


def _en_in(m: re.Match[str], today: date) -> date | None:
    count = any_int(m[1])
    return None if count is None else _offset(today, count, m[2].lower())


def _offset(today: date, count: int, unit: str) -> date | None:
    if unit.startswith("month") or unit == "月":
        return _shift_months(today, count)
    days = 7 * count if unit.startswith("week") or unit in ("周", "星期", "礼拜") else count
    return _add_days(today, days)


# relative, Chinese ------------------------------------------------------------------------------

_ZH_STEPS = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1, "下下": 2}


def _zh_day_word(m: re.Match[str], today: date) -> date | None:
    return _add_days(today, _ZH_DAY_WORDS[m[0]])


def _zh_week(m: re.Match[str], today: date) -> date | None:
    monday = _add_days(monday_of(today), 7 * _ZH_STEPS[m[1]])
    if monday is None:
        return None
    return _add_days(monday, _WEEKDAYS_ZH[m[2]] if m[2] else 0)


def _zh_week_digit(m: re.Match[str], today: date) -> date | None:
    weekday = int(m[2]) - 1
    monday = _add_days(monday_of(today), 7 * _ZH_STEPS[m[1]])
    return None if monday is None else _add_days(monday, weekday)


def _zh_month(m: re.Match[str], today: date) -> date | None:
    first = _shift_months(today, _ZH_STEPS[m[1]], first=True)
    if first is None or not m[2]:
        return first
    day = zh_int(m[2])
    return None if day is None else _safe_date(first.year, first.month, day)


def _zh_ago(m: re.Match[str], today: date) -> date | None:
    count = zh_int(m[1])
    if count is None:
        return None
    sign = -1 if m[3] in ("前", "以前", "之前") else 1
    return _offset(today, sign * count, m[2])


def _rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags | re.ASCII)  # ASCII digits: the inbound text is NFKC


_I = re.IGNORECASE
_RULES: list[tuple[re.Pattern[str], Resolver]] = [
    (_rx(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), _iso),
    (_rx(r"(?<![\d/.\-])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/])"), _numeric),
    (
        _rx(rf"{_NA}{_MONTH}\.?\s{{0,3}}{_DAY_NUM}(?:st|nd|rd|th)?(?:,?\s{{0,3}}(\d{{4}}))?{_NB}",
            _I),
        lambda m, t: _month_name(m, t, 1, 2),
    ),
    (
        _rx(rf"{_NA}{_DAY_NUM}(?:st|nd|rd|th)?\s{{1,3}}(?:of\s{{1,3}})?{_MONTH}\.?"
            rf"(?:,?\s{{0,3}}(\d{{4}}))?{_NB}", _I),
        lambda m, t: _month_name(m, t, 2, 1),
    ),
    (
        _rx(rf"(?:(\d{{4}}|[〇零一二三四五六七八九]{{4}})\s?年\s?)?(?<!\d)([01]?\d|{ZH_NUMERAL}{{1,2}})"
            rf"\s?月\s?{_ZH_DAY}\s?[日号]"),
        _zh_absolute,
    ),
    (
        _rx(r"(?<![A-Za-z])(the\s{1,3}day\s{1,3}before\s{1,3}yesterday|the\s{1,3}day\s{1,3}after"
            r"\s{1,3}tomorrow|yesterday|today|tonight|tomorrow)(?![A-Za-z])", _I),
        _en_day_word,
    ),
    (_rx(rf"{_NA}(last|this|next|coming)\s{{1,3}}{_WEEKDAY}{_NB}", _I), _en_weekday),
    (_rx(rf"{_NA}(last|this|next)\s{{1,3}}(week|weekend|month){_NB}", _I), _en_period),
    (
        _rx(rf"{_NA}{_EN_COUNT}\s{{1,3}}(days?|weeks?|months?)\s{{1,3}}(ago|before|later){_NB}",
            _I),
        _en_ago,
    ),
    (
        _rx(rf"{_NA}in\s{{1,3}}{_EN_COUNT}\s{{1,3}}(days?|weeks?|months?){_NB}", _I),
        _en_in,
    ),
    (_rx("大前天|前天|昨天|昨日|昨晚|今天|今日|今晚|明天|明日|明晚|大后天|后天"), _zh_day_word),
    (_rx(r"(上上|上|这|本|下下|下)个?\s?(?:周|星期|礼拜)([一二三四五六日天末])?"), _zh_week),
    (_rx(r"(上上|上|这|本|下下|下)个?\s?(?:周|星期|礼拜)([1-7])(?!\d)"), _zh_week_digit),
    (_rx(rf"(上|这|本|下)个?月(?:([12]?\d|3[01]|{ZH_NUMERAL}{{1,3}})[日号])?"), _zh_month),
    (
        _rx(rf"(\d{{1,3}}|{ZH_NUMERAL}{{1,3}})\s?个?\s?(天|日|周|星期|礼拜|月)"
            r"\s?(以前|之前|前|以后|之后|后)"),
        _zh_ago,
    ),
]
