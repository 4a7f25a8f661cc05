"""For the shop's agents: a conversation summary and suggested replies.

With a chat model, both are generated from the transcript (and, for replies, the facts the
assistant found) and checked like customer answers: every number they state must be in the
transcript or the facts, else the extractive version is returned. Without a model, or when it
fails, the extractive versions are what the agent sees — so the console always has something.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kefu.llm.base import ChatModel, ModelUnavailable, complete
from kefu.llm.prompts import load
from kefu.llm.verify import numbers
from kefu.types import Language

_ORDER = re.compile(r"#W\d{7}|KF\d{8}")
MAX_TRANSCRIPT_CHARS = 1800


@dataclass(frozen=True)
class Turn:
    role: str  # user | assistant | agent
    text: str


@dataclass(frozen=True)
class Assist:
    text: str
    source: str  # llm | extractive


def transcript(turns: Sequence[Turn], language: Language) -> str:
    """The conversation as lines, newest kept when it is long."""
    who = {"en": {"user": "Customer", "assistant": "Assistant", "agent": "Agent"},
           "zh": {"user": "顾客", "assistant": "助手", "agent": "客服"}}[language]
    lines = [f"{who.get(t.role, t.role)}: {' '.join(t.text.split())}" for t in turns]
    out: list[str] = []
    size = 0
    for line in reversed(lines):
        if size + len(line) > MAX_TRANSCRIPT_CHARS and out:
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(reversed(out))


def summarize(model: ChatModel | None, turns: Sequence[Turn], language: Language,
              max_tokens: int = 120) -> Assist:
    text = transcript(turns, language)
    if model is not None and turns:
        try:
            said = complete(model, load("summary", language).messages(
                {}, {"transcript": text}), max_tokens=max_tokens).strip()
        except ModelUnavailable:
            said = ""
        if said and numbers(said) <= numbers(text, generous=True):
            return Assist(said, "llm")
    return Assist(_extractive_summary(turns, language), "extractive")


def suggest_replies(model: ChatModel | None, turns: Sequence[Turn], facts: Sequence[str],
                    language: Language, n: int = 2, max_tokens: int = 100) -> list[Assist]:
    text = transcript(turns, language)
    known = numbers(text + "\n" + "\n".join(facts), generous=True)
    out: list[Assist] = []
    if model is not None and turns:
        prompt = load("suggest", language)
        for i in range(n):
            strict = {"previous": out[-1].text} if i and out else None
            try:
                said = complete(model, prompt.messages(
                    {}, {"facts": "\n".join(facts) or "-", "transcript": text}, strict),
                    max_tokens=max_tokens, temperature=0.0 if i == 0 else 0.7).strip()
            except ModelUnavailable:
                break
            if said and numbers(said) <= known and all(said != o.text for o in out):
                out.append(Assist(said, "llm"))
    for said in _extractive_replies(turns, facts, language):
        if len(out) >= n:
            break
        if all(said != o.text for o in out):
            out.append(Assist(said, "extractive"))
    return out


def _extractive_summary(turns: Sequence[Turn], language: Language) -> str:
    asked = [t.text.strip() for t in turns if t.role == "user" and t.text.strip()]
    orders = sorted({o for t in turns for o in _ORDER.findall(t.text)})
    if not asked:
        return "No customer message yet." if language == "en" else "顾客还没有发消息。"
    first, last = asked[0], asked[-1]
    if language == "zh":
        parts = [f"顾客首先说：「{first}」"]
        if last != first:
            parts.append(f"最近说：「{last}」")
        if orders:
            parts.append(f"涉及订单：{'、'.join(orders)}")
        return "；".join(parts) + "。"
    parts = [f'The customer first wrote: "{first}"']
    if last != first:
        parts.append(f'most recently: "{last}"')
    if orders:
        parts.append(f"orders mentioned: {', '.join(orders)}")
    return "; ".join(parts) + "."


def _extractive_replies(turns: Sequence[Turn], facts: Sequence[str],
                        language: Language) -> list[str]:
    replies = []
    if facts:
        replies.append(facts[0])
    if language == "zh":
        replies.append("您好，我是人工客服，已经看过您和助手的对话。请问还有什么需要我帮您处理的？")
    else:
        replies.append("Hello, I'm a member of the support team and I've read your conversation "
                       "with our assistant. What else can I do for you?")
    return replies
