"""Language detection for the two languages kefu speaks: Chinese (zh) and English (en)."""

from __future__ import annotations

import re

from kefu.types import Language, Script

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect_language(text: str, fallback: Language = "en") -> Language:
    """zh when Han characters outweigh Latin words, en when Latin words do, else ``fallback``.

    Order ids, emails and numbers carry no language, so a message made only of them keeps the
    conversation's language.
    """
    han = len(_HAN.findall(text))
    latin = sum(1 for w in _LATIN_WORD.findall(_strip_codes(text)))
    if han == 0 and latin == 0:
        return fallback
    return "zh" if han >= latin else "en"


_CODES = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+|#?W\d{7}|KF\d{8}", re.IGNORECASE)


def _strip_codes(text: str) -> str:
    return _CODES.sub(" ", text)


def detect_script(text: str) -> Script:
    """The message's own language mix: zh, en, mixed (both carry weight) or unknown (neither:
    emoji, numbers, an order id, another script)."""
    han = len(_HAN.findall(text))
    latin = sum(len(w) for w in _LATIN_WORD.findall(_strip_codes(text)))
    if han == 0 and latin == 0:
        return "unknown"
    if han and latin:
        share = han * 2 / (han * 2 + latin)  # a Han character carries about two letters' worth
        if 0.2 <= share <= 0.8:
            return "mixed"
    return "zh" if han * 2 >= latin else "en"
