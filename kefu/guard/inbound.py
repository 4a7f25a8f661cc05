"""The inbound guard: normalise the message, refuse what cannot be a message, detect language,
and screen it for prompt injection (kefu.guard.injection)."""

from __future__ import annotations

import re
import unicodedata

from kefu.errors import InvalidInput, MessageTooLong
from kefu.guard.injection import screen_injection
from kefu.nlu.language import detect_language
from kefu.types import Inbound, Language

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def screen(text: str, *, max_chars: int, fallback: Language) -> Inbound:
    """Normalised (NFKC, control characters dropped, trimmed) text and its language.

    Raises InvalidInput for an empty message and MessageTooLong past ``max_chars``.
    """
    if _SURROGATE.search(text):
        raise InvalidInput("the message is not valid text (undecodable bytes)")
    original = _CONTROL.sub("", text).strip()
    cleaned = unicodedata.normalize("NFKC", original).strip()
    if not cleaned:
        raise InvalidInput("the message is empty")
    if len(cleaned) > max_chars:
        raise MessageTooLong(f"the message has {len(cleaned)} characters; the limit is {max_chars}")
    verdict = screen_injection(cleaned)
    return Inbound(cleaned, detect_language(cleaned, fallback), original,
                   verdict.reasons if verdict.suspicious else ())
