"""Identifiers a customer types: order ids, emails, phone numbers and zip/postcodes.

- order ids: the demo shop's ``KF12345678`` and tau-bench's ``#W1234567`` (value upper case,
  tau-bench's with its ``#``);
- emails: value lower case;
- phones: Chinese mobiles (1[3-9] and 9 more digits, with or without +86/0086, spaces or dashes)
  and international numbers written with + or 00 (8 to 15 digits); the value is E.164-like,
  "+8613812345678", "+14155550100". National numbers of other countries (no + or 00) are not
  phones here: "415-555-0100" could be anything;
- zips: 5 or 6 digits standing alone (not part of a longer number, a decimal, a code or a
  measure such as "10000mAh"); a US ZIP+4 ("80279-1234") keeps its five digits as the value.

Every pattern is linear in the length of the text: no nested quantifiers that can backtrack.
"""

from __future__ import annotations

import re

from kefu.types import Entity

_ORDER_KF = re.compile(r"(?<![A-Za-z0-9])#?(KF\d{8})(?!\d)", re.I | re.A)
_ORDER_W = re.compile(r"(?<![A-Za-z0-9])#?(W\d{7})(?!\d)", re.I | re.A)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])",
    re.A,
)
_CN_MOBILE = re.compile(
    r"(?<![A-Za-z0-9+])(?:(?:\+|00)?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![0-9A-Za-z])",
    re.A,
)
_INTL = re.compile(
    r"(?<![A-Za-z0-9+])(?:\+|00)(?>\d{1,3}(?:[ .-]?\(?\d{2,4}\)?){1,6})(?!\d)", re.A
)
_ZIP = re.compile(
    r"(?<![\d.\-+A-Za-z])(\d{5}(?:-\d{4})?|\d{6})(?!\d|[.,-]\d|[A-Za-z])", re.A
)


def find_order_ids(text: str) -> list[Entity]:
    found = [Entity("order_id", m[0], m.start(), m.end(), m[1].upper())
             for m in _ORDER_KF.finditer(text)]
    found += [Entity("order_id", m[0], m.start(), m.end(), "#" + m[1].upper())
              for m in _ORDER_W.finditer(text)]
    return found


def find_emails(text: str) -> list[Entity]:
    return [Entity("email", m[0], m.start(), m.end(), m[0].lower()) for m in _EMAIL.finditer(text)]


def find_phones(text: str) -> list[Entity]:
    found = [
        Entity("phone", m[0], m.start(), m.end(), "+86" + m[1] + m[2] + m[3])
        for m in _CN_MOBILE.finditer(text)
    ]
    for m in _INTL.finditer(text):
        digits = re.sub(r"\D", "", m[0])
        digits = digits[2:] if m[0].startswith("00") else digits
        if 8 <= len(digits) <= 15:
            found.append(Entity("phone", m[0], m.start(), m.end(), "+" + digits))
    return found


def find_zips(text: str) -> list[Entity]:
    return [Entity("zip", m[0], m.start(), m.end(), m[1].split("-")[0])
            for m in _ZIP.finditer(text)]
