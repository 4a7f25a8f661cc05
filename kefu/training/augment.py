"""Data augmentation: new, label-preserving variants of training utterances.

Each new example applies one or two of the augmentations below (drawn at random among those that
apply to the text) to an original. The language of a text is Chinese when it contains a Han
character, else English.

English
  ``typo``         one keyboard slip in one word: a letter replaced by a neighbouring QWERTY key,
                   a letter dropped, or two adjacent letters swapped. Customers type fast, often
                   on phones, and the model should not depend on exact spelling.
  ``casing``       the text lower-cased, upper-cased (shouting) or sentence-cased: chat messages
                   come in every casing.
  ``punctuation``  punctuation removed: many chat messages have none.
  ``politeness``   "hi," / "hello," / "excuse me," before or "please" / "thanks" after: courtesy
                   words carry no intent, so the model should learn to look past them.
  ``contraction``  one "do not" ↔ "don't" (or a similar pair) contracted or expanded: both forms
                   are common and mean the same.
Chinese
  ``politeness``   请问 / 你好， / 您好， / 亲， prefixed, or one already there removed: the usual
                   openings of a customer-service chat, which carry no intent.
  ``particle``     a sentence-final 呢 / 吧 / 啊 / 呀 added, replaced or removed: tone, not meaning.
  ``width``        punctuation switched between full width (，。？！：；) and half width
                   (,.?!:;): both are typed, depending on the input method.
  ``punctuation``  punctuation removed.
Both
  ``identifiers``  order ids (``KF`` + 8 digits, ``#W`` + 7 digits) and emails replaced by fresh
                   random ones of the same format, so that a model learns their shape rather than
                   the particular values in the training data.

Order ids, emails and the masks written by ``kefu data clean`` (``<EMAIL>``, ``<PHONE>``,
``<CARD>``, ``<ID>``) are never altered by typos, casing or punctuation changes. Politeness is not
added to the conversational intents (greeting, goodbye, thanks, affirm, deny): "hi, bye" or
"thanks, thanks" would blur exactly the difference those labels draw.

Augment after cleaning. Casing and full-width variants only matter to a model that sees text
before normalisation: ``normalise`` lower-cases and the inbound guard applies NFKC.
"""

from __future__ import annotations

import random
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from kefu.errors import InvalidInput
from kefu.training.datasets import Example

Augmentation = Callable[[str, random.Random], str | None]
"""Returns the changed text, or None when it does not apply to this text."""

CONVERSATIONAL_LABELS = frozenset({"greeting", "goodbye", "thanks", "affirm", "deny"})
_ATTEMPTS_PER_EXAMPLE = 12

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_ORDER = r"(?<![A-Za-z0-9])(?:#?W\d{7}|KF\d{8})(?!\d)"
_IDENTIFIER = re.compile(f"{_EMAIL}|{_ORDER}", re.IGNORECASE)
_PROTECTED = re.compile(f"<(?:EMAIL|PHONE|CARD|ID)>|{_EMAIL}|{_ORDER}", re.IGNORECASE)


def is_chinese(text: str) -> bool:
    return _HAN.search(text) is not None


# --- helpers -------------------------------------------------------------------------------


def _on_free(text: str, fn: Callable[[str], str]) -> str:
    """``fn`` applied to the parts of ``text`` outside protected spans."""
    parts, last = [], 0
    for m in _PROTECTED.finditer(text):
        parts += [fn(text[last : m.start()]), m.group(0)]
        last = m.end()
    parts.append(fn(text[last:]))
    return "".join(parts)


def _free_matches(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Matches of ``pattern`` that overlap no protected span."""
    taken = [m.span() for m in _PROTECTED.finditer(text)]
    return [m for m in pattern.finditer(text)
            if not any(s < m.end() and m.start() < e for s, e in taken)]


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def _split_tail(text: str) -> tuple[str, str]:
    """(body, trailing punctuation and spaces)."""
    end = len(text)
    while end and (_is_punct(text[end - 1]) or text[end - 1].isspace()):
        end -= 1
    return text[:end], text[end:]


def _changed(before: str, after: str) -> str | None:
    return after if after != before else None


# --- English -------------------------------------------------------------------------------

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_WORD = re.compile(r"[A-Za-z]{3,}")


def _neighbours() -> dict[str, str]:
    near: dict[str, str] = {}
    for r, row in enumerate(_KEYBOARD_ROWS):
        for c, ch in enumerate(row):
            keys = [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(_KEYBOARD_ROWS):
                    keys += _KEYBOARD_ROWS[other][max(c - 1, 0) : c + 1]
            near[ch] = "".join(sorted(set(keys)))
    return near


_NEAR = _neighbours()


def typo(text: str, rng: random.Random) -> str | None:
    """One adjacent-key substitution, dropped letter or swapped pair in one word."""
    words = _free_matches(_WORD, text)
    if not words:
        return None
    m = rng.choice(words)
    slip = rng.choice((_substitute, _drop, _swap))
    return _changed(text, text[: m.start()] + slip(m.group(0), rng) + text[m.end() :])


def _substitute(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word))
    key = rng.choice(_NEAR[word[i].lower()])
    return word[:i] + (key.upper() if word[i].isupper() else key) + word[i + 1 :]


def _drop(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1 :]


def _swap(word: str, rng: random.Random) -> str:
    spots = [i for i in range(len(word) - 1) if word[i] != word[i + 1]]
    if not spots:
        return _drop(word, rng)
    i = rng.choice(spots)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def casing(text: str, rng: random.Random) -> str | None:
    """Lower-, upper- or sentence-cased (outside protected spans)."""
    options = {_on_free(text, str.lower), _on_free(text, str.upper), _sentence_case(text)}
    options.discard(text)
    return rng.choice(sorted(options)) if options else None


def _sentence_case(text: str) -> str:
    lowered = _on_free(text, lambda s: re.sub(r"\bi\b", "I", s.lower()))
    if _PROTECTED.match(lowered):
        return lowered
    return lowered[:1].upper() + lowered[1:]


def strip_punctuation(text: str, rng: random.Random) -> str | None:
    """Punctuation removed (outside protected spans), spaces collapsed."""
    stripped = _on_free(text, lambda s: "".join(ch for ch in s if not _is_punct(ch)))
    stripped = " ".join(stripped.split())
    return _changed(text, stripped) if stripped else None


_EN_PREFIXES = ("hi, ", "hello, ", "hey, ", "hi there, ", "excuse me, ", "good morning, ",
                "please, ")
_EN_SUFFIXES = (" please", ", thanks", " thank you", ", thx", " pls", ", thanks in advance")
_I_WORDS = re.compile(r"^i(?:'m|'ve|'d|'ll|’m|’ve|’d|’ll)?\b")


def politeness_en(text: str, rng: random.Random) -> str | None:
    """A courtesy opening, closing, or both."""
    where = rng.choice(("prefix", "suffix", "prefix", "suffix", "both"))
    if where in ("prefix", "both"):
        text = _with_prefix(text, rng.choice(_EN_PREFIXES))
    if where in ("suffix", "both"):
        body, tail = _split_tail(text)
        text = body + rng.choice(_EN_SUFFIXES) + tail.strip()
    return text


def _with_prefix(text: str, prefix: str) -> str:
    """``prefix`` before ``text``; a sentence-cased text moves its capital to the prefix."""
    if not text[:1].isupper():
        return prefix + text
    keep = _I_WORDS.match(text.lower()) or text[1:2].isupper()
    return prefix.capitalize() + (text if keep else text[0].lower() + text[1:])


_CONTRACTIONS = {
    "do not": "don't", "does not": "doesn't", "did not": "didn't", "cannot": "can't",
    "will not": "won't", "is not": "isn't", "are not": "aren't", "was not": "wasn't",
    "were not": "weren't", "have not": "haven't", "has not": "hasn't", "had not": "hadn't",
    "could not": "couldn't", "would not": "wouldn't", "should not": "shouldn't",
    "i am": "i'm", "i have": "i've", "i will": "i'll", "i would": "i'd", "you are": "you're",
    "it is": "it's", "that is": "that's", "what is": "what's", "where is": "where's",
    "there is": "there's",
}
_EXPANSIONS = {short: long for long, short in _CONTRACTIONS.items()}
_CONTRACTION = re.compile(
    r"\b(?:" + "|".join(re.escape(k).replace("'", "['’]").replace(r"\ ", r"\s+")
                        for k in [*_CONTRACTIONS, *_EXPANSIONS]) + r")\b",
    re.IGNORECASE,
)


def contraction(text: str, rng: random.Random) -> str | None:
    """One contractable pair contracted, or one contraction expanded."""
    found = _free_matches(_CONTRACTION, text)
    if not found:
        return None
    m = rng.choice(found)
    key = " ".join(m.group(0).lower().replace("’", "'").split())
    other = _CONTRACTIONS.get(key) or _EXPANSIONS[key]
    if m.group(0)[0].isupper():
        other = other[0].upper() + other[1:]
    return text[: m.start()] + other + text[m.end() :]


# --- Chinese -------------------------------------------------------------------------------

_ZH_OPENINGS = ("你好，请问", "您好，请问", "亲，请问", "你好，", "您好，", "亲，", "请问",
                "你好,请问", "您好,请问", "亲,请问", "你好,", "您好,", "亲,")
_ZH_QUESTION = re.compile(r"[?？吗么]|什么|怎么|哪|多少|几|能不能|可不可以|可以|是否|有没有")
_PARTICLES = "呢吧啊呀"
_FULL, _HALF = "，。？！：；", ",.?!:;"
_TO_HALF = str.maketrans(_FULL, _HALF)
_HALF_SPOT = re.compile(r"(?<![A-Za-z0-9])[,.?!:;]|[,.?!:;](?![A-Za-z0-9])")


def politeness_zh(text: str, rng: random.Random) -> str | None:
    """An opening (请问 / 你好， / 您好， / 亲，) added, or the one already there removed."""
    opening = next((o for o in _ZH_OPENINGS if text.startswith(o)), None)
    if opening is not None:
        return text[len(opening) :].lstrip() or None
    comma = "," if any(ch in _HALF for ch in text) and not any(ch in _FULL for ch in text) else "，"
    choices = ["你好，", "您好，", "亲，"]
    if _ZH_QUESTION.search(text):
        choices += ["请问", "你好，请问", "亲，请问"]
    return rng.choice(choices).replace("，", comma) + text


def particle(text: str, rng: random.Random) -> str | None:
    """A sentence-final particle added, replaced or removed (never after 吗/么)."""
    body, tail = _split_tail(text)
    if not body or body[-1] in "吗么" or not _HAN.search(body[-1]):
        return None
    if body[-1] in _PARTICLES:
        options = [""] + [p for p in _PARTICLES if p != body[-1]]
        return body[:-1] + rng.choice(options) + tail
    question = _ZH_QUESTION.search(text) is not None
    return body + rng.choice("呢啊" if question else "吧啊呀") + tail


def width(text: str, rng: random.Random) -> str | None:
    """Punctuation switched between full and half width (not inside numbers such as 3.5)."""
    options = {_on_free(text, lambda s: s.translate(_TO_HALF)), _to_full(text)}
    options.discard(text)
    return rng.choice(sorted(options)) if options else None


def _to_full(text: str) -> str:
    return _on_free(text, lambda s: _HALF_SPOT.sub(lambda m: _FULL[_HALF.index(m[0])], s))


# --- both ----------------------------------------------------------------------------------

_NAMES = ("li.wei", "wang.fang", "zhang.min", "emma", "noah", "olivia", "liam", "chen.jing",
          "sofia", "lucas", "yuki", "mia")
_DOMAINS = ("example.com", "mail.com", "qq.com", "163.com", "gmail.com", "outlook.com")


def identifiers(text: str, rng: random.Random) -> str | None:
    """Every order id and email replaced by a fresh one of the same format."""
    if not _IDENTIFIER.search(text):
        return None
    return _changed(text, _IDENTIFIER.sub(lambda m: _fresh(m.group(0), rng), text))


def _fresh(value: str, rng: random.Random) -> str:
    if "@" in value:
        return f"{rng.choice(_NAMES)}{rng.randrange(1, 10_000)}@{rng.choice(_DOMAINS)}"
    head = value.rstrip(string.digits)
    digits = "".join(rng.choice(string.digits) for _ in value[len(head) :])
    return head + digits


# --- the pipeline --------------------------------------------------------------------------

ENGLISH: dict[str, Augmentation] = {
    "typo": typo, "casing": casing, "punctuation": strip_punctuation,
    "politeness": politeness_en, "contraction": contraction, "identifiers": identifiers,
}
CHINESE: dict[str, Augmentation] = {
    "politeness": politeness_zh, "particle": particle, "width": width,
    "punctuation": strip_punctuation, "identifiers": identifiers,
}


@dataclass(frozen=True)
class AugmentReport:
    """The originals followed by the new examples, and which augmentations made them."""

    examples: list[Example]
    originals: int
    added: int
    used: Counter[str] = field(default_factory=Counter)
    short: int = 0
    """Originals that got fewer than ``factor`` new examples (too few distinct variants)."""


def augment(examples: Iterable[Example], factor: int = 1, seed: int = 0) -> list[Example]:
    """The originals (as given) followed by up to ``factor`` new variants of each."""
    return augment_report(examples, factor=factor, seed=seed).examples


def augment_report(examples: Iterable[Example], factor: int = 1, seed: int = 0) -> AugmentReport:
    """Like :func:`augment`, with counts. New texts never repeat an original or each other; the
    same input, ``factor`` and ``seed`` always give the same output."""
    if factor < 0:
        raise InvalidInput(f"factor must be 0 or more, got {factor}")
    originals = list(examples)
    seen = {e.text for e in originals}
    used: Counter[str] = Counter()
    added: list[Example] = []
    short = 0
    for original in originals:
        new = _variants(original, factor, seed, seen, used)
        added += new
        short += len(new) < factor
    return AugmentReport(originals + added, len(originals), len(added), used, short)


def _variants(
    original: Example, factor: int, seed: int, seen: set[str], used: Counter[str]
) -> list[Example]:
    rng = random.Random(f"{seed}\x00{original.label}\x00{original.text}")
    table = _table(original)
    found: list[Example] = []
    for _ in range(_ATTEMPTS_PER_EXAMPLE * factor):
        if len(found) == factor or not table:
            break
        names = rng.sample(sorted(table), min(len(table), rng.choice((1, 1, 2))))
        text, applied = _apply(original.text, [table[n] for n in names], rng)
        if applied and text.strip() and text not in seen:
            seen.add(text)
            used.update(n for n, ok in zip(names, applied, strict=True) if ok)
            found.append(Example(text, original.label))
    return found


def _table(example: Example) -> dict[str, Augmentation]:
    """The augmentations for this example's language (and label)."""
    table = dict(CHINESE if is_chinese(example.text) else ENGLISH)
    if example.label in CONVERSATIONAL_LABELS:
        del table["politeness"]
    return table


def _apply(
    text: str, steps: Sequence[Augmentation], rng: random.Random
) -> tuple[str, list[bool]]:
    """``text`` after each step in turn, and which steps changed it (empty if none did)."""
    applied = []
    for step in steps:
        result = step(text, rng)
        applied.append(result is not None and result != text)
        text = result if result is not None else text
    return text, applied if any(applied) else []
