"""The first intent recognizer: bilingual cue phrases, scored by coverage of the message."""

from __future__ import annotations

import re

from kefu.nlu.lexicon import CUES
from kefu.types import Intent, Language, Recognition

_WORDY = re.compile(r"[a-z]")
_CODES = re.compile(r"[a-z0-9._%+-]+@[a-z0-9.-]+|#?w\d{7}|kf\d{8}|\d+")


class KeywordIntentRecognizer:
    """Scores every intent by the cue phrases found in the message.

    A cue's weight grows with its length; small talk ("yes", "thanks") loses to any substantive
    intent found alongside it. The confidence is the winner's share of all matched weight,
    damped when little of the message was covered. Nothing matched: ``out_of_scope`` at 0.
    """

    def __init__(self, cues: dict[str, dict[str, tuple[str, ...]]] = CUES) -> None:
        self._cues = {
            intent: tuple(sorted({c for cs in by_lang.values() for c in cs}, key=len, reverse=True))
            for intent, by_lang in cues.items()
        }

    def recognize(self, text: str, language: Language) -> Recognition:
        """The intent; the sentiment stays neutral (this recognizer has no model of it)."""
        return Recognition(self.intent(text))

    def intent(self, text: str) -> Intent:
        norm = f" {_CODES.sub(' ', text.lower())} "
        scores = {i: self._score(norm, cues) for i, cues in self._cues.items()}
        scores = {i: s for i, s in scores.items() if s > 0}
        if not scores:
            return Intent("out_of_scope", 0.0)
        best = max(scores, key=lambda i: (scores[i], -_SMALL_TALK_RANK.get(i, 0)))
        share = scores[best] / sum(scores.values())
        coverage = min(1.0, scores[best] / max(4.0, len(norm.strip()) * 0.5))
        return Intent(best, round(0.5 * share + 0.5 * max(coverage, 0.4), 3))

    @staticmethod
    def _score(norm: str, cues: tuple[str, ...]) -> float:
        score = 0.0
        seen = norm
        for cue in cues:
            if _matches(seen, cue):
                score += len(cue.strip()) if _WORDY.search(cue) else len(cue) * 2
                seen = seen.replace(cue, " ")
        return score


_SMALL_TALK_RANK = {"affirm": 2, "deny": 2, "greeting": 1, "thanks": 1, "goodbye": 1}


def _matches(norm: str, cue: str) -> bool:
    if not _WORDY.search(cue):
        return cue in norm
    pattern = rf"(?<![a-z]){re.escape(cue.strip())}(?:s|es|ed|led|ing|ling)?(?![a-z])"
    return re.search(pattern, norm) is not None
