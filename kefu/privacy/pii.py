"""Personal data in customer messages, Chinese and English: find it, redact it, put it back.

Kinds (``Span.kind``): EMAIL, PHONE, CN_ID, CARD, ADDRESS, PERSON, SECRET, IBAN, IP, US_SSN.

Nothing here loads a model or downloads anything:

- Presidio's pattern recognizers are run directly (``.analyze(text, entities, None)``), without an
  ``AnalyzerEngine`` and so without an NLP engine or spaCy model (importing presidio_analyzer
  imports the spaCy library, never a model): IBAN (``IbanRecognizer``, mod-97 check) and US_SSN
  (``UsSsnRecognizer``'s delimited pattern and its pruning) as they are; cards, e-mails and IP
  addresses through subclasses whose patterns also work beside Chinese text (Python's ``\\b``
  counts Han characters as word characters, so "卡号6222…" has no word boundary before the
  digits). Cards keep Presidio's Luhn check and cover 13 to 19 digits (UnionPay 62… included;
  12-digit Maestro numbers too, right after "card" or 卡号); e-mails check the domain's suffix
  against tldextract's bundled snapshot, because the stock check fetches the public-suffix list
  from the network on first use.
- kefu's own Presidio ``PatternRecognizer``: Chinese resident identity numbers (18 characters,
  ISO 7064 MOD 11-2 check character, a real birth date; the old 15-digit form after an ID cue).
- kefu's own functions: phones (mainland mobiles with or without +86/0086, numbers written with
  + or 00 and accepted by python-phonenumbers as possible, North American and Chinese landline
  layouts, grouped national numbers starting with a trunk 0, and any 7-15 digit number after a
  cue such as "phone:", "call me at", "registered", "messages to" or "电话"), postal addresses
  (English and European street forms, on one line or over a few, US military addresses, Chinese
  province/city/district/road/estate/number sequences), person names (``kefu.nlu.persons``'
  cues and common-surname list, less what is unlikely a name — 谢谢亲, "call me back" — plus a
  few more Chinese cues and the names the caller already knows, such as the customer's own) and
  secrets (passwords and verification codes, the value only).

A number right after an order, tracking, invoice or serial label ("订单号：19513967161") is not
reported as a phone, card or SSN.

Presidio's ``PhoneRecognizer`` is not used: python-phonenumbers' matcher over its eight regions
took 1-2.5 ms a message here, more than all the other recognizers together.

Order numbers (``KF12345678``, ``#W1234567``) are never reported: kefu needs them to serve the
customer. Overlapping candidates are resolved by score, then length: the survivors do not overlap.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

import phonenumbers
import regex
import tldextract
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    UsSsnRecognizer,
)

from kefu.nlu.identifiers import find_order_ids
from kefu.nlu.persons import COMPOUND_SURNAMES, SURNAMES, find_persons, zh_name

KINDS: tuple[str, ...] = (
    "CN_ID", "CARD", "IBAN", "EMAIL", "US_SSN", "PHONE", "IP", "SECRET", "ADDRESS", "PERSON",
)
"""Every kind, in the order that breaks ties between equally scored, equally long spans."""
_PRIORITY = {kind: i for i, kind in enumerate(KINDS)}
_ORDER = "ORDER_NUMBER"  # never reported; see PiiDetector.find


@dataclass(frozen=True)
class Span:
    """One piece of personal data: ``text == message[start:end]``; ``score`` in (0, 1]."""

    kind: str
    start: int
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class Redacted:
    """A redacted text, and (when asked for) each placeholder's original: ``[PHONE_1]`` → value."""

    text: str
    mapping: dict[str, str]


Finder = Callable[[str], Iterable[Span]]


# --- checksums ------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def cn_id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a resident identity number's first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def cn_id_valid(number: str, today: date | None = None) -> bool:
    """An 18-character resident identity number with a right check character and a real birth
    date, not in the future."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    born = _date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    if born is None or born > (today or date.today()) or born.year < 1880:
        return False
    return cn_id_check_char(number[:17]) == number[17].upper()


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def luhn_valid(digits: str) -> bool:
    """The Luhn check of a string of digits (card and bank-card numbers)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


# --- Presidio recognizers ---------------------------------------------------------------------

_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"


@cache
def _suffixes() -> tldextract.TLDExtract:
    """tldextract on its bundled public-suffix snapshot: no download, no cache written."""
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail recognizer with an ASCII pattern (so that "邮箱abc@qq.com谢谢" gives
    "abc@qq.com") and its domain check made offline."""

    PATTERNS = [  # noqa: RUF012 - Presidio's own class attribute
        Pattern(
            "email (ascii)",
            r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}"
            r"(?:\.[A-Za-z0-9\-]{1,63}){0,6}\.[A-Za-z]{2,24}(?![A-Za-z0-9\-])",
            0.5,
        )
    ]

    def __init__(self) -> None:
        super().__init__(patterns=list(self.PATTERNS), supported_entity="EMAIL")

    def validate_result(self, pattern_text: str) -> bool:
        """The domain ends in a public suffix (``.com``, ``.com.cn``, ``.hu``…)."""
        return bool(_suffixes()(pattern_text.rsplit("@", 1)[1]).fqdn)


class CardRecognizer(CreditCardRecognizer):
    """Presidio's card recognizer (Luhn) on 13 to 19 digits, grouped by spaces or dashes or not,
    next to Latin or Chinese text; a run of one repeated digit is not a card."""

    PATTERNS = [  # noqa: RUF012
        Pattern(
            "card 13-19 digits",
            rf"{_NOT_ALNUM_BEFORE}(?<!\+)[1-6]\d{{3}}(?:[ \-]?\d{{2,6}}){{2,4}}{_NOT_ALNUM_AFTER}",
            0.3,
        )
    ]

    def __init__(self) -> None:
        super().__init__(patterns=list(self.PATTERNS), supported_entity="CARD")

    def validate_result(self, pattern_text: str) -> bool:
        """13-19 digits, not all the same, passing Presidio's Luhn check."""
        digits = re.sub(r"\D", "", pattern_text)
        return (13 <= len(digits) <= 19 and len(set(digits)) > 1
                and bool(super().validate_result(pattern_text)))


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"


class IpAddressRecognizer(IpRecognizer):
    """Presidio's IP recognizer with an IPv4 pattern that works beside Chinese text; its IPv6
    patterns as they are (the bare ``::`` left out)."""

    PATTERNS = [  # noqa: RUF012
        Pattern(
            "IPv4 (any script around)",
            rf"(?<![0-9.]){_OCTET}(?:\.{_OCTET}){{3}}(?:/(?:3[0-2]|[12]?\d))?"
            r"(?![0-9A-Za-z_]|\.\d)",
            0.6,
        ),
        *(p for p in IpRecognizer.PATTERNS if p.name.startswith("IPv") and p.name not in
          ("IPv4", "IPv6_unspecified")),
    ]

    def __init__(self) -> None:
        super().__init__(patterns=list(self.PATTERNS), supported_entity="IP")


class ChineseIdRecognizer(PatternRecognizer):
    """Mainland resident identity numbers: 6-digit area, birth date, 3-digit sequence, check
    character (a digit or X), validated with ISO 7064 MOD 11-2 and the date."""

    PATTERNS = [  # noqa: RUF012
        Pattern(
            "CN resident ID (18)",
            rf"{_NOT_ALNUM_BEFORE}[1-9]\d{{5}}(?:18|19|20)\d{{2}}(?:0[1-9]|1[0-2])"
            rf"(?:0[1-9]|[12]\d|3[01])\d{{3}}[\dXx]{_NOT_ALNUM_AFTER}",
            0.4,
        )
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="CN_ID", patterns=list(self.PATTERNS),
                         supported_language="zh")

    def validate_result(self, pattern_text: str) -> bool:
        """Check character and birth date both right."""
        return cn_id_valid(pattern_text)


_CARD_12 = re.compile(
    r"(?:(?i:\b(?:card|cc)\b(?:\s*(?:number|no\.?|#))?(?:\s+is)?)|卡号)[\s:：#]{0,3}(\d{12})(?!\d)"
)


def find_short_cards(text: str) -> list[Span]:
    """12-digit cards (Maestro issues them), only right after "card", "cc" or 卡号 and Luhn-valid
    (0.9): twelve digits alone could be anything."""
    return [Span("CARD", m.start(1), m.end(1), m[1], 0.9) for m in _CARD_12.finditer(text)
            if luhn_valid(m[1]) and len(set(m[1])) > 1]


class _Presidio:
    """A Presidio recognizer run on its own, only on texts its cheap trigger finds."""

    def __init__(self, kind: str, recognizer: EntityRecognizer, trigger: str) -> None:
        self.kind = kind
        self.recognizer = recognizer
        self.entities = list(recognizer.supported_entities)
        self.trigger = re.compile(trigger)

    def __call__(self, text: str) -> list[Span]:
        if not self.trigger.search(text):
            return []
        # Pattern recognizers take no NLP artefacts; Presidio's annotation does not say None.
        found = self.recognizer.analyze(text, self.entities, None)  # type: ignore[arg-type]
        return [Span(self.kind, r.start, r.end, text[r.start:r.end], float(r.score))
                for r in found]


def _ssn_recognizer() -> UsSsnRecognizer:
    """Presidio's SSN recognizer with only its delimited (medium) pattern: its bare nine digits
    and other very weak patterns score 0.05."""
    medium = [p for p in UsSsnRecognizer.PATTERNS if p.score >= 0.5]
    return UsSsnRecognizer(patterns=medium, supported_entity="US_SSN")


def _presidio_finders() -> dict[str, Finder]:
    return {
        "EMAIL": _Presidio("EMAIL", OfflineEmailRecognizer(), r"@"),
        "CARD": _Presidio("CARD", CardRecognizer(), r"\d{4}"),
        "CN_ID": _Presidio("CN_ID", ChineseIdRecognizer(), r"\d{15}"),
        "IBAN": _Presidio("IBAN", IbanRecognizer(supported_entity="IBAN"), r"[A-Z]{2}\d\d"),
        "IP": _Presidio("IP", IpAddressRecognizer(), r"\d\.\d|[0-9A-Fa-f]:[0-9A-Fa-f:]"),
        "US_SSN": _Presidio("US_SSN", _ssn_recognizer(), r"\d{3}[ .\-]\d\d[ .\-]\d{4}"),
    }


# --- Chinese ID, old form -------------------------------------------------------------------

_OLD_CN_ID = re.compile(
    r"(?:身份证(?:号码|号)?|(?i:\bID\s*(?:card\s*)?(?:number|no\.?|#)?))[^\d\n]{0,6}"
    r"(?<!\d)([1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?![0-9A-Za-z])"
)


def find_old_cn_ids(text: str) -> list[Span]:
    """15-digit identity numbers of the old form (no check character), only right after an ID
    cue and with a real birth date; as sure as a checked number (1.0)."""
    found = []
    for m in _OLD_CN_ID.finditer(text):
        number = m[1]
        if _date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])):
            found.append(Span("CN_ID", m.start(1), m.end(1), number, 1.0))
    return found


# --- phones ---------------------------------------------------------------------------------

_EXT = r"(?:\s?(?:x|ext\.?)\s?\d{1,6})?"
_CN_MOBILE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)86[ \-]?|\(\+?86\)[ \-]?)?1[3-9]\d(?:[ \-]?\d{4}){2}(?!\d)", re.A
)
_INTL = re.compile(
    r"(?<![\w+])(?:\+|00)(?>[1-9]\d{0,3}(?:[ .\-]?(?:\(\d{1,4}\)|\d{1,6})){1,6})" + _EXT
    + r"(?!\d)",
    re.A,
)
_NOT_IN_NUMBERS = r"(?<![\w+.,\-])(?<!\d[ .\-])"  # not inside a longer run of digit groups
_NANP = re.compile(
    _NOT_IN_NUMBERS + r"(?:(?:\+?1|001)[ .\-]?)?(?:\(\d{3}\)[ .\-]?|\d{3}[.\-])\d{3}[.\-]\d{4}"
    + _EXT + r"(?![\w\-])",
    re.A,
)
_CN_LANDLINE = re.compile(
    _NOT_IN_NUMBERS + r"(?:\(0\d{2,3}\)\s?|0\d{2,3}[ \-])\d{7,8}(?![\w\-])", re.A
)
_TRUNK_GROUPED = re.compile(
    _NOT_IN_NUMBERS + r"0\d{1,4}(?:[ .]\d{2,4}){2,4}(?![\w\-]|[.,]\d)", re.A
)
_PHONE_CUE = (
    r"(?:(?i:\b(?:tel(?:ephone)?|phone|mobile|cell(?:phone)?|fax|desk|whatsapp|contact)"
    r"(?:\s*(?:no\.?|number|#))?|\b(?:call|ring|reach|text)(?:ed)?\s+(?:me\s+)?(?:at|on)"
    r"|\banswering\s+(?:at|on)|\b(?:messages|sms|texts?)\s+to"
    r"|\bregistered(?:\s+(?:mobile|number|phone))?(?:\s+(?:is|was))?)"
    r"|电话(?:号码)?|手机(?:号码|号)?|联系电话|联系方式|座机|致电)"
)
_NUMBER = r"(?:\+|00)?\(?\d[\d ().\-]{5,22}\d" + _EXT
_CUED = re.compile(
    _PHONE_CUE + r"[\s:：=#]*(?:(?i:is|was)\s+|是|为)?[\s:：]*(" + _NUMBER + r")(?!\d)", re.A
)
_TRAILING_CUE = re.compile(
    r"(?<![\w+.\-])(" + _NUMBER + r")(?=[ \-]?(?i:office|fax|mobile|cell|home|work)\b)", re.A
)


_PHONE_TRIGGER = re.compile(r"\d(?:\D{0,3}\d){6}")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _possible_international(number: str) -> bool:
    number = re.sub(r"\s?(?:x|ext\.?)\s?\d+$", "", number)
    number = "+" + number[2:] if number.startswith("00") else number
    try:
        return bool(phonenumbers.is_possible_number(phonenumbers.parse(number, None)))
    except phonenumbers.NumberParseException:
        return False


def find_phones(text: str) -> list[Span]:
    """Phone numbers in the layouts described in the module's docstring, each with a score that
    says how sure its layout is."""
    if not _PHONE_TRIGGER.search(text):
        return []
    found = [Span("PHONE", m.start(), m.end(), m[0], 0.85) for m in _CN_MOBILE.finditer(text)]
    found += [Span("PHONE", m.start(), m.end(), m[0], 0.75) for m in _INTL.finditer(text)
              if 8 <= len(_digits(re.sub(r"(?:x|ext\.?)\s?\d+$", "", m[0]))) <= 15
              and _possible_international(m[0])]
    found += [Span("PHONE", m.start(), m.end(), m[0], 0.6) for m in _NANP.finditer(text)]
    found += [Span("PHONE", m.start(), m.end(), m[0], 0.6) for m in _CN_LANDLINE.finditer(text)]
    found += [Span("PHONE", m.start(), m.end(), m[0], 0.5) for m in _TRUNK_GROUPED.finditer(text)
              if 9 <= len(_digits(m[0])) <= 12]
    for pattern, score in ((_CUED, 0.7), (_TRAILING_CUE, 0.6)):
        for m in pattern.finditer(text):
            number = m[1].rstrip(" .-(")
            if 7 <= len(_digits(number)) <= 17:
                found.append(Span("PHONE", m.start(1), m.start(1) + len(number), number, score))
    return found


# --- addresses ------------------------------------------------------------------------------

_EN_WORD = r"(?:\p{Lu}[\p{L}'’\-]*\.?|\d{1,3}(?:st|nd|rd|th))"
# Street suffixes, the common ones of the USPS list and a few British ones.
_STREET_SUFFIXES = (
    "street avenue road boulevard lane drive court way place terrace parkway highway square "
    "circle crescent close alley trail row walk plaza gardens grove mews loop pike expressway "
    "freeway turnpike route "
    "hill hills point pt park crossing xing creek ridge harbor harbour island junction knoll "
    "lake landing manor meadow meadows mill mills pass path pines port ranch run shore shores "
    "spring springs station summit track valley view village vista well wells bridge brook "
    "bypass canyon cape causeway center centre cliff common corner cove crest dale estates "
    "falls ferry field fields ford forest forge forges fork fort gateway glen green haven "
    "heights hollow inlet isle junction key mount mountain orchard oval plains prairie river "
    "spur stream trace union viaduct ville"
).split()
_STREET_ABBREVIATIONS = (
    "st ave av rd blvd ln dr ct pl ter pkwy hwy sq cir cres trl plz pt xing".split()
)
_EN_SUFFIX = (  # a full stop belongs to an abbreviation ("St."), not to a full word ("Lane.")
    r"(?i:" + "|".join(sorted(set(_STREET_SUFFIXES) - set(_STREET_ABBREVIATIONS), key=len,
                              reverse=True))
    + r"|(?:" + "|".join(sorted(_STREET_ABBREVIATIONS, key=len, reverse=True)) + r")\.?)"
)
_UNIT = (
    r"(?:(?i:apt|apartment|suite|ste|unit|room|rm|floor|fl|flat|bldg|building)\.?\s?#?|#)"
    r"\s?[\dA-Za-z][\dA-Za-z\-]{0,6}"
)
_UNITS = rf"(?:,?\s{{1,3}}[ \t>]*{_UNIT}(?![\p{{L}}\d])){{0,2}}"
_TAIL = (  # the rest of the line: ", City, ST 12345", ", City, Country 1234", " 200031"
    r"(?:(?:,\s{0,2}\p{Lu}[\p{L} .'’\-]{1,30}?){1,3},?\s{1,2}(?:[A-Z]{2}\s{1,2})?"
    r"\d{4,6}(?:-\d{3,4})?(?!\d)|,?[ \t]{1,2}(?:\d{5}(?:-\d{4})?|\d{6})(?![\d.,:]))"
)
_EN_STREET = regex.compile(
    rf"(?<![\p{{L}}\d])\d{{1,6}}[A-Za-z]?(?:[\-/]\d{{1,5}}[A-Za-z]?)?,?[ \t]{{1,2}}"
    rf"(?:(?:N|S|E|W|NE|NW|SE|SW)\.?[ \t])?(?:{_EN_WORD}[ \t]{{1,2}}){{1,4}}{_EN_SUFFIX}"
    rf"(?![\p{{L}}\d])(?:[ \t](?:N|S|E|W|NE|NW|SE|SW)\b)?{_UNITS}(?:{_TAIL})?"
)
_EU_TYPED = (
    r"(?i:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|laan|straat|gracht|plein|kade"
    r"|katu|tie|polku|kuja|vej|gade|stræde|stræti|straeti|gatan|vägen|väg|gränd|veien|vegen"
    r"|gata|vegur|utca|tér)"
)
_EU_STREET = regex.compile(
    rf"(?<![\p{{L}}\d])(?:\d{{1,6}}[ \t])?(?:"
    rf"\p{{Lu}}\p{{L}}{{2,}}{_EU_TYPED}[ \t]\d{{1,5}}[A-Za-z]?"
    rf"|(?i:rua|rue|via|viale|avenida|avda\.|calle|carrer|strada|piazza|praça|largo|travessa"
    rf"|chemin|quai|ulica|ul\.)[ \t](?:(?:\p{{L}}[\p{{L}}'’\-]*|d[aeo]s?|de|di|del|della|du|des"
    rf"|la|le)[ \t]){{1,4}}\d{{1,5}}[A-Za-z]?"
    rf"|\d{{1,5}},?[ \t](?i:rue|avenue|boulevard|bd|place|chemin|allée|impasse|quai)[ \t]"
    rf"(?:(?:de|du|des|la|le)[ \t]|[dl]['’])*\p{{L}}[\p{{L}}'’\-]+"
    rf"(?:[ \t]\p{{Lu}}[\p{{L}}'’\-]+){{0,3}}"
    rf")(?![\p{{L}}\d]){_UNITS}(?:{_TAIL})?"
)
_MILITARY = regex.compile(
    r"(?<![\p{L}\d])(?i:(?:psc|cmr|unit)\s\d{1,5},?\s{1,2}box\s\d{1,5}|us[ns]{1,2}\s\p{L}+"
    r"(?:\s\p{L}+)?)\s{1,3}(?i:[adf]po\s(?:aa|ae|ap)\s\d{5})(?!\d)"
)
_UNIT_ALONE = regex.compile(
    r"(?<![\p{L}\d])(?:(?:Apt|Apartment|Suite|Ste|Unit)\.?[ \t]?#?\d{1,5}[A-Za-z]?"
    r"|(?i:p\.?[ \t]?o\.?[ \t]?box)[ \t]?\d{1,6})(?![\p{L}\d])"
)
# An address written over several lines: up to three more short lines (a unit, a town, a
# region) when the last of them starts with a place and a postcode.
_NEXT_LINE = regex.compile(r"[ \t]*\n[ \t>]*")
_PLACE_LINE = regex.compile(r"[\p{L}\d ().,'’#\-]{1,40}(?=[ \t]*(?:\n|$))")
_POSTCODE_LINE = regex.compile(r"[\p{L} ().,'’\-]{0,40}?(?<!\d)\d{4,6}(?:-\d{3,4})?(?!\d)")


def _continued(text: str, end: int) -> int:
    """Where an address that ends at ``end`` really ends, counting the lines it goes on over."""
    position, best = end, end
    for _ in range(3):
        newline = _NEXT_LINE.match(text, position)
        if newline is None:
            break
        postcode = _POSTCODE_LINE.match(text, newline.end())
        if postcode is not None:
            best = postcode.end()
        line = _PLACE_LINE.match(text, newline.end())
        if line is None:
            break
        position = line.end()
    return best


# Han characters that can be part of a place name: not pronouns, particles or the verbs that
# lead into an address ("寄到", "住在", "送到", "地址是").
_PLACE = r"[\p{Han}--[我你您他她它的是在了吗呢吧啊呀请帮把给从住寄送到址收件货也就还再要想]]"
_ZH_PARTS = {
    "prov": rf"{_PLACE}{{2,7}}?(?:省|自治区|特别行政区)",
    "city": rf"{_PLACE}{{1,7}}?(?:(?<![超城菜夜门股上集早])市|自治州|地区|盟)",
    "dist": rf"{_PLACE}{{1,7}}?(?:新区|开发区|区|县|旗|镇|乡|街道)",
    "road": rf"(?:{_PLACE}|\d){{1,10}}?"  # 道 only before a number: 知道, 味道 are no roads
            r"(?:大道|大街|路|街|巷|胡同|道(?=[\d一二三四五六七八九十]+号))",
    "estate": rf"(?:{_PLACE}|[A-Za-z]){{1,10}}?"
              r"(?:小区|花园|公寓|大厦|广场|家园|新村|村|苑|园|府|城|中心)",
    "num": r"(?:[\d一二三四五六七八九十]{1,5}(?:[\-－]\d{1,5})?|[A-Za-z]\d{0,4})"
           r"(?:号楼|号院|号|弄|栋|幢|座|楼|层|单元|室|户|段)",
}
_ZH_ADDRESS = regex.compile(
    "(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _ZH_PARTS.items() if k != "num") + ")"
    + r"(?:[ \t\-]?(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _ZH_PARTS.items()) + ")){1,12}"
    + r"(?:(?<=[号楼栋幢座元层])[\-－]?\d{2,5}(?![\d.]))?",  # "B座1602": a room without 室
    regex.V1,
)
_ZH_TRIGGER = re.compile(r"[省市区县镇乡路街巷号弄室栋幢楼]")
_ZH_LEAD_INS = ("改成", "改为", "换成", "发往", "寄往", "送往", "邮寄", "新的", "新", "快递")


def find_addresses(text: str) -> list[Span]:
    """Street addresses: English and European street forms, on one line or over a few (0.7 and
    0.65; a unit or P.O. box alone 0.5), US military addresses (0.7), and Chinese sequences of
    province, city, district, road, estate and numbers (0.7)."""
    found = []
    for pattern, score in ((_EN_STREET, 0.7), (_EU_STREET, 0.65), (_MILITARY, 0.7)):
        for m in pattern.finditer(text):
            end = _continued(text, m.end())
            found.append(Span("ADDRESS", m.start(), end, text[m.start():end], score))
    found += [Span("ADDRESS", m.start(), m.end(), m[0], 0.5) for m in _UNIT_ALONE.finditer(text)]
    if _ZH_TRIGGER.search(text):
        found += [s for m in _ZH_ADDRESS.finditer(text) if (s := _zh_address(m))]
    return found


def _zh_address(m: regex.Match[str]) -> Span | None:
    """An address when it has a number after a place ("建国路88号", "阳光花园3栋"), or a road
    after a district, city or province ("朝阳区建国路"); None otherwise."""
    first = {k: m.starts(k)[0] for k in _ZH_PARTS if m.captures(k)}
    regions = [first[k] for k in ("prov", "city", "dist") if k in first]
    numbered = "num" in first
    if not (numbered or ("road" in first and regions and min(regions) < first["road"])):
        return None
    start, value = m.start(), m[0]
    for lead in _ZH_LEAD_INS:
        if value.startswith(lead) and len(value) > len(lead) + 3:
            start, value = start + len(lead), value[len(lead):]
            break
    return Span("ADDRESS", start, m.end(), value, 0.7)


# --- names ----------------------------------------------------------------------------------

_HAN_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
_COMPOUND = ("欧阳", "司马", "诸葛", "上官", "司徒", "东方", "皇甫", "慕容", "令狐", "夏侯")


# What may follow a Chinese name cut from a run of Han characters: a particle or the start of
# the next clause ("我是张伟想退货"); anything else means the "name" was cut out of a word
# ("我是凌晨两点到的").
_AFTER_ZH_NAME = frozenset(
    "吗呢吧啊呀哦的了想要在是和跟与说问请帮收先女小我你他她您电手地住已刚订买今明昨这那也都就还从给让"
)
_PARTICLES = frozenset("啦哈呀啊吧哦嗯呢么吗嘛咯呗哟喔亲")
_NOT_EN_NAMES = frozenset(
    "back later soon again now today tomorrow tonight asap anytime please when if after before "
    "anything whenever at on in the a an".split()
)


def find_cued_persons(text: str) -> list[Span]:
    """Names after a cue ("my name is", "I'm", "name:", 我叫, 我是, 姓名, 收件人…) and a
    message that is only a Chinese name, as ``kefu.nlu.persons`` finds them, less what is not
    likely a name here (see ``_plausible_name``)."""
    return [Span("PERSON", e.start, e.end, e.text, 0.7) for e in find_persons(text)
            if _plausible_name(e.text, text, e.end)]


def _plausible_name(name: str, text: str, end: int) -> bool:
    """A Chinese name starts with a common surname, repeats no character at its start (谢谢,
    白白), holds no particle (辛苦啦) and is not cut out of a longer word; an English name is not
    led by a word such as "back" ("call me back tomorrow")."""
    if not _HAN_NAME.fullmatch(name):
        return name.split()[0].lower() not in _NOT_EN_NAMES
    if not (name[:2] in COMPOUND_SURNAMES or name[0] in SURNAMES):
        return False
    if name[1] == name[0] or _PARTICLES.intersection(name):
        return False
    after = text[end:end + 1]
    return not ("\u4e00" <= after <= "\u9fff") or after in _AFTER_ZH_NAME


_ZH_MORE_CUES = re.compile(
    r"(?:他叫|她叫|户名|持卡人|开户名|开户人|寄件人|收件信息|收货信息)(?:是|\s?[:：])?\s{0,2}([\u4e00-\u9fff]{2,4})"
)


def find_more_zh_persons(text: str) -> list[Span]:
    """Chinese names after cues ``kefu.nlu.persons`` does not know (他叫, 户名, 持卡人…), a common
    surname required."""
    found = []
    for m in _ZH_MORE_CUES.finditer(text):
        name = zh_name(m[1], need_surname=True)
        if name:
            found.append(Span("PERSON", m.start(1), m.start(1) + len(name), name, 0.7))
    return found


def find_known_names(text: str, names: Sequence[str]) -> list[Span]:
    """The caller's known names wherever they occur: the whole name (any case, 0.95); the words
    of a Latin name as written (three letters or more, 0.8); the given name of a Chinese name of
    three or more characters (0.8)."""
    forms: dict[str, tuple[bool, float]] = {}  # form -> (ignore case, score)
    for name in (n.strip() for n in names):
        if len(name) < 2:
            continue
        # any case for a full name; a one-word name only as written ("Grace", not "grace")
        forms[name] = (len(name.split()) > 1, 0.95)
        if _HAN_NAME.fullmatch(name) and len(name) >= 3:
            given = name[2:] if name[:2] in _COMPOUND else name[1:]
            if len(given) >= 2:
                forms.setdefault(given, (False, 0.8))
        else:
            for word in name.split():
                if len(word) >= 3 and word[0].isupper():
                    forms.setdefault(word, (False, 0.8))
    found = []
    for form, (fold, score) in sorted(forms.items(), key=lambda f: -len(f[0])):
        edge = "" if _HAN_NAME.fullmatch(form) else r"(?<![^\W\d_])"
        tail = "" if edge == "" else r"(?![^\W\d_])"
        pattern = re.compile(edge + re.escape(form) + tail, re.I if fold else 0)
        found += [Span("PERSON", m.start(), m.end(), m[0], score) for m in pattern.finditer(text)]
    return found


# --- secrets --------------------------------------------------------------------------------

_PASSWORD_EN = re.compile(
    r"(?i:\b(?:password|passcode|passwd|pwd|pin)\b)(?:\s+(?:is|was)\b\s*[:：=]?|\s*[:：=])\s*"
    r"[\"'“‘]?([^\s,;，。；、\"'“”‘’]{1,64})"
)
_PASSWORD_ZH = re.compile(r"(?:口令|密码)(?:是|为|：|:|=|\s)*([!-~]{1,64})")
_CODE_EN = re.compile(
    r"(?i:\b(?:([a-z][a-z\-]*)\s+)?(code|otp|cvv2?|cvc2?)\b)(?:\s+(?:is|was)\b)?\s*[:：=#]?\s*"
    r"(\d{3,8})(?![\d.,]\d|\d)"
)
_CODE_ZH = re.compile(
    r"(?:验证码|校验码|动态码|动态密码|短信码|确认码|安全码|取件码|提货码)"
    r"(?:是|为|：|:|=|\s)*([A-Za-z0-9]{3,8})(?![A-Za-z0-9])"
)
_NOT_PASSWORDS = frozenset(
    "wrong incorrect invalid not correct right expired forgotten lost reset changed the my a an "
    "too still now also missing empty same different weak strong ok fine working broken locked "
    "what required needed case-sensitive".split()
)
_NOT_SECRET_CODES = frozenset(
    "zip postal post area country promo promotion discount coupon gift voucher product item "
    "error tracking order sku color colour style reference ref status region dialing dial qr "
    "bar source html reason tax hs dress size model shipping track".split()
)


def find_secrets(text: str) -> list[Span]:
    """Passwords and verification codes, the value only: "password is X", "pwd: X", "密码是X",
    "verification code 123456", "code is 4821", "验证码123456", "CVV 123"."""
    found = []
    for m in _PASSWORD_EN.finditer(text):
        value = m[1].rstrip(".,;:)")
        if value and value.lower() not in _NOT_PASSWORDS:
            found.append(Span("SECRET", m.start(1), m.start(1) + len(value), value, 0.9))
    for m in _PASSWORD_ZH.finditer(text):
        value = m[1].rstrip(".,;:)")
        if value:
            found.append(Span("SECRET", m.start(1), m.start(1) + len(value), value, 0.9))
    for m in _CODE_EN.finditer(text):
        before, cue, value = (m[1] or "").lower(), m[2].lower(), m[3]
        if cue == "code" and (before in _NOT_SECRET_CODES or len(value) < 4):
            continue
        found.append(Span("SECRET", m.start(3), m.end(3), value, 0.9))
    found += [Span("SECRET", m.start(1), m.end(1), m[1], 0.9) for m in _CODE_ZH.finditer(text)
              if any(c.isdigit() for c in m[1])]
    return found


# --- the detector ---------------------------------------------------------------------------

_OWN_FINDERS: dict[str, tuple[Finder, ...]] = {
    "CN_ID": (find_old_cn_ids,),
    "CARD": (find_short_cards,),
    "PHONE": (find_phones,),
    "ADDRESS": (find_addresses,),
    "PERSON": (find_cued_persons, find_more_zh_persons),
    "SECRET": (find_secrets,),
}


class PiiDetector:
    """Finds personal data of the given kinds (all of ``KINDS`` by default)."""

    def __init__(self, kinds: Collection[str] | None = None) -> None:
        chosen = frozenset(KINDS if kinds is None else kinds)
        unknown = chosen - set(KINDS)
        if unknown:
            raise ValueError(f"unknown PII kinds: {sorted(unknown)}; known: {list(KINDS)}")
        self.kinds = chosen
        presidio = _presidio_finders()
        self._finders: list[Finder] = [presidio[k] for k in KINDS if k in chosen and k in presidio]
        self._finders += [f for k in KINDS if k in chosen for f in _OWN_FINDERS.get(k, ())]

    def find(self, text: str, known_names: Sequence[str] = ()) -> list[Span]:
        """Non-overlapping spans in ``text``, in order; where candidates overlap, the higher
        score wins, then the longer span. Order numbers are never part of a span. Full-width
        digits and Latin letters ("１３８００１３８０００") are read as their ASCII forms; spans
        hold the text as written."""
        if not text:
            return []
        scan = text.translate(_HALF_WIDTH) if _FULL_WIDTH.search(text) else text
        candidates = [span for finder in self._finders for span in finder(scan)]
        if known_names and "PERSON" in self.kinds:
            candidates += find_known_names(scan, known_names)
        candidates = [s for s in candidates if not _labelled_not_personal(scan, s)]
        # Order numbers enter as unbeatable spans, so that nothing overlapping them survives.
        candidates += [Span(_ORDER, e.start, e.end, e.text, 2.0) for e in find_order_ids(scan)]
        kept = [s for s in resolve(candidates) if s.kind != _ORDER]
        if scan is text:
            return kept
        return [Span(s.kind, s.start, s.end, text[s.start:s.end], s.score) for s in kept]


# Full-width digits, Latin letters and "+-.@_" (one character each way, so offsets hold; the
# Chinese comma, colon and brackets stay as they are: patterns read them as Chinese text).
_FULL_WIDTH = re.compile(r"[\uff0b\uff0d\uff0e\uff10-\uff19\uff20-\uff3a\uff3f\uff41-\uff5a]")
_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in (0xFF0B, 0xFF0D, 0xFF0E, *range(0xFF10, 0xFF1A),
                                          *range(0xFF20, 0xFF3B), 0xFF3F, *range(0xFF41, 0xFF5B))}


_NOT_PERSONAL_LABEL = re.compile(
    r"(?:(?:订单|运单|快递单|物流单|单|发票|流水)(?:号码|号|编号)?|(?i:\b(?:order|tracking|invoice"
    r"|reference|ref|serial|model)(?:\s*(?:number|no\.?|#|id))?))(?:\s|[:：#=]|是|为|(?i:\bis\b))*$"
)


def _labelled_not_personal(text: str, span: Span) -> bool:
    """A number right after an order, tracking, invoice or serial label ("订单号：19513967161")
    is that, whatever it looks like."""
    if span.kind not in ("PHONE", "CARD", "US_SSN"):
        return False
    return _NOT_PERSONAL_LABEL.search(text, max(0, span.start - 24), span.start) is not None


def resolve(candidates: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans, by start, keeping the higher score, then the longer span, then the
    kind earlier in ``KINDS``."""
    ranked = sorted(
        (s for s in candidates if s.end > s.start),
        key=lambda s: (-s.score, s.start - s.end, _PRIORITY.get(s.kind, len(KINDS)), s.start),
    )
    starts: list[int] = []
    ends: list[int] = []
    kept: list[Span] = []
    for span in ranked:
        i = bisect.bisect_right(starts, span.start)
        if (i and ends[i - 1] > span.start) or (i < len(starts) and starts[i] < span.end):
            continue
        starts.insert(i, span.start)
        ends.insert(i, span.end)
        kept.append(span)
    return sorted(kept, key=lambda s: s.start)


@cache
def default_detector() -> PiiDetector:
    """The detector of every kind, built once per process."""
    return PiiDetector()


# --- redaction ------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"[\[【]\s*([A-Z][A-Z_]*_\d+)\s*[\]】]")


def redact(
    text: str,
    detector: PiiDetector | None = None,
    known_names: Sequence[str] = (),
    *,
    reversible: bool = False,
) -> Redacted:
    """``text`` with each span replaced by ``[KIND_n]`` (numbered per kind, in order; a value
    written again the same way gets the same placeholder; a placeholder already in the text is
    not reused). With ``reversible`` the mapping placeholder → original is kept for
    :func:`restore`, which gives back exactly ``text``. Two spellings of one number
    ("13800138000", "138 0013 8000") get two placeholders: one could not restore both."""
    spans = (detector or default_detector()).find(text, known_names)
    if not spans:
        return Redacted(text, {})
    pieces: list[str] = []
    assigned: dict[tuple[str, str], str] = {}
    mapping: dict[str, str] = {}
    counts: Counter[str] = Counter()
    position = 0
    for span in spans:
        key = (span.kind, span.text)
        placeholder = assigned.get(key)
        if placeholder is None:
            placeholder = _next_placeholder(span.kind, counts, text)
            assigned[key] = placeholder
            mapping[placeholder] = span.text
        pieces += (text[position:span.start], placeholder)
        position = span.end
    pieces.append(text[position:])
    return Redacted("".join(pieces), mapping if reversible else {})


def _next_placeholder(kind: str, counts: Counter[str], text: str) -> str:
    """The kind's next placeholder whose name the text does not already hold (in any brackets),
    so that :func:`restore` never mistakes the customer's own words for a placeholder."""
    while True:
        counts[kind] += 1
        if f"{kind}_{counts[kind]}" not in text:
            return f"[{kind}_{counts[kind]}]"


def restore(text: str, mapping: dict[str, str]) -> str:
    """``text`` (a reply, say) with every placeholder of ``mapping`` put back; a placeholder
    echoed with spaces or full-width brackets (``【PHONE_1】``) is recognised too."""
    if not mapping:
        return text
    return _PLACEHOLDER.sub(lambda m: mapping.get(f"[{m[1]}]", m[0]), text)


def mask(text: str, detector: PiiDetector | None = None) -> str:
    """``text`` with its personal data replaced by placeholders, for logs and exports."""
    return redact(text, detector).text
