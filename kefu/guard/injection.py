"""Inbound screening for prompt injection and jailbreak attempts, in English and Chinese.

Rule based. Each rule is a regular expression with a weight in (0, 1]; the score is the
noisy-or of the weights of the rules that match, ``1 - Π(1 - w)`` (a rule with forms on two
views counts once), and a message is suspicious from ``THRESHOLD`` (0.5) on. A rule of weight
≥ 0.5 flags on its own ("ignore all previous instructions", "<|im_start|>", "输出你的提示词");
weaker rules, words a customer may well use ("developer mode" of a phone, "越狱" of a tablet,
"act as", "你现在是…", "cancel all orders", "把所有订单取消"), flag only together. ``reasons``
names the rules: ``override.*``, ``roleplay.*``, ``leak.*``, ``tool.*``, ``exfil.*``,
``markup.*``, ``tags.*``, ``addressed.*`` (text written to a model, as planted in a page),
``zh.*``, and ``encoded:<rule>`` for what a hidden payload matched.

The rules run on three views of the message, so that spelling tricks do not hide a phrase:

``text``      NFKC, lower case, invisible characters removed (zero-width, bidi controls, soft
              hyphen; Unicode tag characters, the "ASCII smuggling" trick, are decoded and
              kept, and flag ``tags.invisible_text``), runs of spaces collapsed, line breaks
              kept. Markup and role tags are looked for here.
``words``     ``text`` with look-alike Cyrillic/Greek letters and traditional Chinese characters
              folded, leetspeak next to a letter undone ("1gn0r3" → "ignore"; "KF2026" and
              "3 items" stay), s p a c e d or d.o.t.t.e.d letters joined, one space between
              tokens. The English phrase rules run here.
``squashed``  ``words`` with only letters, digits and Han characters left ("忽 略 之 前 的
              指 令", "ign-ore all prev-ious"). The Chinese rules and the compact forms of the
              strongest English phrases run here.

Base64 (standard or URL-safe) and hex runs of 20+ characters that decode to readable UTF-8 are
screened again, two levels deep at most; a rule the hidden text matches counts 0.2 more
(hiding an instruction is itself a signal), readable hidden text alone 0.25.

False positives matter more than a missed jailbreak: the rules are written around what shop
customers say. "Ignore my last message", "ignore my previous instructions about the doorstep",
"cancel all my orders", "refund it to my card", "退款能退到支付宝吗", "系统提示我支付失败",
"你现在有货吗" do not flag. So a refund "to" something flags only for a destination that is not
the customer's own (a gift-card code, a crypto wallet, another account), and "cancel all
orders" only with other customers or the whole store in it. A flagged message is a signal for
the turn (no tool call, no generated answer, a note for staff), not proof. The project's
attack and benign sets are ``kefu/guard/eval/*.jsonl``; tests/unit/test_injection.py holds
the figures.

Speed: each rule is gated by literal anchors (a set test), so most rules cost nothing on a
given message: some tens of microseconds for a chat message, a few milliseconds for a
2,000-character jailbreak prompt.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

THRESHOLD = 0.5
"""A message is suspicious when its score reaches this."""

_MAX_DEPTH = 2  # encoded text inside encoded text is screened once more, not further

View = Literal["text", "words", "squashed"]


@dataclass(frozen=True)
class InjectionVerdict:
    """What the screen saw: ``reasons`` are the names of the matched rules."""

    suspicious: bool
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class _Rule:
    """``pattern`` is only searched when the view holds one of the rule's ``anchors``,
    literals that every match contains: on the ``words`` view, whole words and, for anchors
    that are not plain words, substrings; on the other views, substrings. The anchors present
    are found once per message, so most rules cost one set test."""

    name: str
    weight: float
    view: View
    pattern: re.Pattern[str]
    anchors: frozenset[str]


_WORD = re.compile(r"[a-z]+")


def _r(name: str, weight: float, view: View, pattern: str, *,
       anchors: tuple[str, ...]) -> _Rule:
    return _Rule(name, weight, view, re.compile(pattern), frozenset(anchors))


# --- normalisation --------------------------------------------------------------------------

_TAG_BLOCK = range(0xE0020, 0xE007F)  # Unicode tag characters: invisible ASCII
_TAG_RUN = re.compile("[\U000e0000-\U000e007f]+")
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)

_FOLD = str.maketrans({
    # Cyrillic and Greek letters that look Latin
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ɡ": "g", "ո": "n", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ɑ": "a", "ı": "i",
    # traditional Chinese characters of the rules' words
    "規": "规", "則": "则", "詞": "词", "開": "开", "發": "发", "獄": "狱", "統": "统",
    "無": "无", "視": "视", "現": "现", "裝": "装", "輸": "输", "設": "设", "說": "说",
    "對": "对", "話": "话", "們": "们", "單": "单", "訂": "订", "戶": "户", "資": "资",
    "訊": "讯", "顯": "显", "這": "这", "個": "个", "復": "复", "請": "请", "將": "将",
    "從": "从", "權": "权", "員": "员", "郵": "邮", "碼": "码", "號": "号", "導": "导",
    "數": "数", "據": "据", "錄": "录", "調": "调", "執": "执", "幣": "币", "錢": "钱",
    "購": "购", "禮": "礼", "帳": "账", "賬": "账", "戲": "戏", "讓": "让", "須": "须",
    "約": "约", "記": "记", "處": "处", "於": "于", "進": "进", "啟": "启", "啓": "启",
    "動": "动", "隱": "隐", "內": "内", "預": "预", "顧": "顾", "遺": "遗", "棄": "弃",
    "蓋": "盖", "過": "过", "繞": "绕", "拋": "抛", "擬": "拟", "為": "为",
    "機": "机", "區": "区", "專": "专", "種": "种", "麼": "么", "後": "后",
    "來": "来", "應": "应", "該": "该", "銷": "销", "狀": "状", "態": "态",
    "誤": "误", "寫": "写", "給": "给", "讀": "读", "獲": "获", "維": "维", "護": "护",
    "級": "级", "絕": "绝", "審": "审", "濾": "滤",
})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                       "@": "a", "$": "s"})
_FOLDABLE = re.compile("[" + "".join(chr(c) for c in _FOLD) + "]")
_LEET_RUN = re.compile(r"[013457@$]+")
# four or more single letters apart ("i g n o r e", "s.y.s.t.e.m"); the look-behind sits after
# the first letter so that the search can skip ahead to letters. _SPACED_HINT, which starts
# with a separator, tells cheaply whether there can be such a run at all.
_SPACED = re.compile(r"[a-z](?<![a-z0-9].)(?:[ ._*~+|/-]{1,2}[a-z](?![a-z0-9])){3,}")
_SPACED_HINT = re.compile(r"[ ._*~+|/-][a-z][ ._*~+|/-]{1,2}[a-z][ ._*~+|/-]")
_SPACED_SEP = re.compile(r"[ ._*~+|/-]")
_ASCII_NOT_KEPT = bytes(c for c in range(128) if not chr(c).isalnum())  # for bytes.translate
_NOT_KEPT = re.compile(r"[^a-z0-9\u3400-\u9fff]+")


def _tag_text(m: re.Match[str]) -> str:
    return "".join(chr(ord(c) - 0xE0000) if ord(c) in _TAG_BLOCK else "" for c in m.group())



def _unleet(m: re.Match[str]) -> str:
    """Leet next to a letter ("1gn0r3"); numbers ("order 3", "KF2026") stay as they are."""
    text, start, end = m.string, m.start(), m.end()
    if (start and text[start - 1].isalpha()) or (end < len(text) and text[end].isalpha()):
        return m.group().translate(_LEET)
    return m.group()


def _collapse(text: str) -> str:
    """Runs of spaces as one space, line breaks kept (one), each line trimmed."""
    return "\n".join(line for line in (" ".join(part.split()) for part in text.split("\n"))
                     if line)


@dataclass(frozen=True)
class _Views:
    kept: str  # NFKC with case, for base64
    text: str
    words: str
    squashed: str
    hidden: bool  # the message held invisible tag characters


def _views(raw: str) -> _Views:
    kept = unicodedata.normalize("NFKC", raw)
    hidden = False
    if not kept.isascii():  # every character the next steps change is outside ASCII
        hidden = _TAG_RUN.search(kept) is not None
        if hidden:
            kept = _TAG_RUN.sub(lambda m: " " + _tag_text(m) + " ", kept)
        kept = _INVISIBLE.sub("", kept)
    text = _collapse(kept.lower())
    words = text
    if not words.isascii() and _FOLDABLE.search(words):
        words = words.translate(_FOLD)
    words = _LEET_RUN.sub(_unleet, words)
    if _SPACED_HINT.search(words):
        words = _SPACED.sub(lambda m: _SPACED_SEP.sub("", m.group()), words)
    words = " ".join(words.split())
    squashed = words.encode().translate(None, _ASCII_NOT_KEPT).decode()
    if not squashed.isascii():
        squashed = _NOT_KEPT.sub("", squashed)
    return _Views(kept, text, words, squashed, hidden)


# --- rules ------------------------------------------------------------------------------------

# English, on ``words``
_VERB_IGNORE = (r"(?:ignore|disregard|forget|skip|override|bypass|discard|abandon|drop|neglect"
                r"|overlook|ditch|erase|delete|clear)")
_PRIOR = (r"(?:previous|prior|preceding|earlier|above|former|foregoing|initial|original|system"
          r"|old|existing|given|current|default|following|pre-?set|programmed)")
_GUIDANCE = (r"(?:instructions?|prompts?|rules|directives|directions|guidelines|commands|context"
             r"|programming|constraints|restrictions|guardrails|policies|safeguards|training"
             r"|conditioning|filters|settings|configuration|parameters)")
_NOT_MINE = r"(?! (?:i|i've|i had|we|that i|which i|from me|i gave|i sent|i wrote)\b)"
_DATA = (r"(?:orders?|data|details?|info|information|emails?|e-mails?|email addresses"
         r"|addresses|phone numbers?|phones?|accounts?|names?|passwords?|credit cards?"
         r"|card numbers?|payment (?:details|info)|records?|purchase history|pii"
         r"|personal (?:data|details|info|information))")
_PEOPLE = r"(?:customers?|users?|buyers?|shoppers?|people|members|clients?|accounts?)"

_EN: tuple[_Rule, ...] = (
    # override
    _r("override.ignore_previous", 0.9, "words",
       rf"\b{_VERB_IGNORE}\b(?: (?:all|any|each|every|of|the|your|these|those|its|and))"
       rf"{{0,3}} (?:{_PRIOR} ?){{1,2}}(?:and (?:following|previous|prior) )?{_GUIDANCE}\b"
       + _NOT_MINE,
       anchors=("ignore", "disregard", "forget", "skip", "override", "bypass", "discard", "abandon",
                "drop", "neglect", "overlook", "ditch", "erase", "delete", "clear")),
    _r("override.forget_rules", 0.6, "words",
       rf"\b(?:{_VERB_IGNORE}|break|violate|escape|turn off|disable)\b (?:all |about |of )?"
       r"(?:your|the assistant'?s?|the ai'?s?|the bot'?s?|the model'?s?) (?:own )?(?:\w+ )?"
       r"(?:rules|instructions|programming|guidelines|directives|guardrails|restrictions"
       r"|constraints|training|system prompt|prompt|principles|filters|safety|ethics"
       r"|alignment|limitations|conditioning)\b",
       anchors=("ignore", "disregard", "forget", "skip", "override", "bypass", "discard", "abandon",
                "drop", "neglect", "overlook", "ditch", "erase", "delete", "clear", "break",
                "violate", "escape", "turn", "disable")),
    _r("override.ignore_all_rules", 0.6, "words",
       rf"\b{_VERB_IGNORE}\b (?:all|any|every|each) (?:\w+ )?(?:of )?(?:the |your )?"
       r"(?:rules|instructions|guidelines|restrictions|constraints|filters|directives"
       r"|safeguards|guardrails|ethical|moral|safety)\b",
       anchors=("ignore", "disregard", "forget", "skip", "override", "bypass", "discard", "abandon",
                "drop", "neglect", "overlook", "ditch", "erase", "delete", "clear")),
    _r("override.ignore_everything", 0.45, "words",
       rf"\b{_VERB_IGNORE}\b (?:everything|all(?: of)? that|anything) (?:above|before|"
       r"previously)",
       anchors=("ignore", "disregard", "forget", "skip", "override", "bypass", "discard", "abandon",
                "drop", "neglect", "overlook", "ditch", "erase", "delete", "clear")),
    _r("override.forget_told", 0.8, "words",
       rf"\b{_VERB_IGNORE}\b (?:everything|all(?: of)? that|anything|all|what) (?:that )?you"
       r"(?:'ve| have)? (?:been|were|was) (?:told|given|taught|instructed|programmed)",
       anchors=("ignore", "disregard", "forget", "skip", "override", "bypass", "discard", "abandon",
                "drop", "neglect", "overlook", "ditch", "erase", "delete", "clear")),
    _r("override.ignore_policy", 0.35, "words",
       rf"\b(?:{_VERB_IGNORE}|overrule|break)\b (?:the|your|our|this|any|all|store|shop"
       r"|company|every) ?(?:return |refund |store |shop |company |usual |normal |standard "
       r"|content |safety |usage )?(?:policy|policies|rules|terms|limits|restrictions)\b",
       anchors=("ignore", "disregard", "forget", "skip", "override", "bypass", "discard", "abandon",
                "drop", "neglect", "overlook", "ditch", "erase", "delete", "clear", "overrule",
                "break")),
    _r("override.ignore_and_say", 0.4, "words",
       r"\b(?:ignore|disregard)\b.{0,80}\band (?:instead |just |only |simply |now )*(?:say|"
       r"print|output|respond with|reply with|write|repeat|spell ?check|translate|tell me|"
       r"give me|reveal|show me|list)\b",
       anchors=("ignore", "disregard")),
    _r("override.just_print", 0.45, "words",
       r"\b(?:just|only|simply) (?:print|say|output|respond with|reply with|write) [\"'“‘`]",
       anchors=("just", "only", "simply")),
    _r("override.new_instructions", 0.45, "words",
       r"\b(?:new|updated|revised|real|actual|true|override|secret|hidden|additional|urgent)"
       r" (?:system )?(?:instructions?|directives?|prompt|rules?|task|orders)\s*:",
       anchors=("instruction", "instructions", "directive", "directives", "prompt", "rule", "rules",
                "task", "orders")),
    _r("override.system_new_instructions", 0.7, "words",
       r"\b(?:(?:here (?:are|is)|these are|follow|obey) (?:your|the) (?:new|updated|real"
       r"|actual|revised) (?:instructions|rules|directives|task|system prompt)|new (?:system "
       r"(?:instructions?|prompt|message|directive)|instructions? for (?:the |you, )?"
       r"(?:ai|assistant|bot|model|chatbot|llm)))\b|\bnew (?:rules?|instructions?|"
       r"directives?|task)\s*:\s*(?:you|from now|always|never|ignore|disregard|the assistant|"
       r"the ai|the bot|act|pretend)\b",
       anchors=("new", "updated", "real", "actual", "revised")),
    _r("override.no_limits", 0.3, "words",
       r"\b(?:no|without(?: any)?|free (?:of|from)|not bound by|not restricted by|beyond|"
       r"ignoring|unbound by|bypassing|exempt from|regardless of) (?:any |all |the )?"
       r"(?:restrictions|limitations|filters?|filtering|censorship|ethics|ethical "
       r"(?:guidelines|constraints|boundaries|considerations)|morals?|moral (?:guidelines|"
       r"constraints|compass)|boundaries|safeguards|guardrails|content polic(?:y|ies)|"
       r"openai'?s? polic(?:y|ies)|rules)\b",
       anchors=("restrictions", "limitations", "filter", "filters", "filtering", "censorship",
                "ethics", "ethical", "morals", "moral", "boundaries", "safeguards", "guardrails",
                "policy", "policies", "rules")),
    _r("override.unfiltered", 0.35, "words",
       r"\b(?:unfiltered|uncensored|unrestricted|amoral|unethical|immoral|unbound|unchained"
       r"|unleashed|lawless|limitless|no-?filter)\b",
       anchors=("unfiltered", "uncensored", "unrestricted", "amoral", "unethical", "immoral",
                "unbound", "unchained", "unleashed", "lawless", "limitless", "filter", "nofilter")),
    _r("override.never_refuse", 0.4, "words",
       r"\b(?:never|not|cannot|can't|won't|must not|mustn't|will not|do not|don't|unable to)"
       r" (?:ever )?(?:refuse|decline|reject|deny)(?: (?:a|any|my|to|the))?\b|\bwithout "
       r"(?:refusing|refusal|hesitation|question)\b|\banswer (?:any|every|all) (?:question"
       r"|request|prompt)s?\b",
       anchors=("refuse", "decline", "reject", "deny", "without", "answer")),
    _r("override.from_now_on", 0.3, "words",
       r"\b(?:from now on|from this (?:moment|point)(?: on)?|for the rest of (?:this|our) "
       r"conversation|henceforth)\b.{0,40}\byou(?:r|'ll|'re)?\b",
       anchors=("now", "this", "rest", "henceforth")),
    _r("override.stop_everything", 0.4, "words",
       r"\bstop everything\b|\bnever ?mind\b.{0,20}\bignore\b|\bend of (?:the )?(?:system )?"
       r"(?:prompt|instructions)\b|\b(?:begin|start) (?:of )?new (?:prompt|instructions|"
       r"session|conversation)\b",
       anchors=("everything", "never", "nevermind", "end", "begin", "start")),
    _r("override.ignore_previous", 0.9, "squashed",
       r"(?:ignore|disregard|forget|bypass|override)(?:all|any|the|your|of|these|those){0,3}"
       r"(?:previous|prior|preceding|earlier|above|initial|original|system){1,2}"
       r"(?:instructions?|prompts?|rules|directives|directions|guidelines|programming)"
       r"(?!i(?:gave|sent|wrote|had)|thati|we|my)",
       anchors=("ignore", "disregard", "forget", "bypass", "override")),
    # roleplay and jailbreak personas
    _r("roleplay.you_are_now", 0.45, "words",
       r"\byou(?: are|'re|r| will be|'ll be| shall be) (?:now|no longer|henceforth) (?:a |an |"
       r"the |my |in |no longer|free|unrestricted|called|named|going to|operating|acting|"
       r"playing|ready to|dan\b|stan\b|jailbroken|\w+gpt|an? ai (?:without|with no|that))",
       anchors=("you", "your")),
    _r("roleplay.no_longer", 0.6, "words",
       r"\byou(?:'re| are) no longer (?:a |an |the |just )?[^.?!\n]{0,30}\b(?:bot|chat ?bot|"
       r"assistant|agent|ai|model|customer service|support)\b|\byou(?:'re| are) no longer "
       r"(?:bound|restricted|limited|required to follow|constrained|governed)\b",
       anchors=("longer",)),
    _r("roleplay.persona", 0.5, "words",
       r"\b(?:respond|answer|reply|talk|speak|write)\b(?: to)? (?:every|all|each|any|my) "
       r"(?:questions?|messages?|prompts?|requests?) as (?:if you were )?(?:a |an )?[a-z]+\b"
       r"|\b(?:respond|answer|reply|talk|speak) as (?:a |an )?[a-z]+, (?:a|an) ",
       anchors=("respond", "answer", "reply", "talk", "speak", "write")),
    _r("roleplay.act_as", 0.4, "words",
       r"(?:^|[.!?:;,]\s*|\b(?:you|please|will|to|shall|must|now|should|and|then)\s)"
       r"(?:act|behave|respond|answer|reply|speak|function|operate) (?:as|like) (?:a |an |my |"
       r"if |though |the |dan\b|\w+gpt|an? unrestricted|an? unfiltered|someone|somebody)",
       anchors=("act", "behave", "respond", "answer", "reply", "speak", "function", "operate")),
    _r("roleplay.pretend", 0.45, "words",
       r"(?:pretend|imagine)(?<![a-z]pretend)(?<![a-z]imagine)(?<!don't pretend)"
       r"(?<!do not pretend)(?<!stop pretend)(?<!never pretend)(?:ing)? "
       r"(?:to be|you are|you're|that you(?:'re| are)|you have|to have|you were)\b",
       anchors=("pretend", "pretending", "imagine")),
    _r("roleplay.game", 0.4, "words",
       r"\b(?:role-?\s?play|rp) (?:as|with me|a scenario)|\blet'?s (?:play a game|roleplay|"
       r"pretend)|\bplay (?:the )?(?:role|part) of\b|\bassume the (?:role|persona|identity) of"
       r"|\bin this (?:hypothetical|fictional) (?:world|scenario|story)\b|\bhypothetical "
       r"response\b",
       anchors=("role", "roleplay", "play", "rp", "let", "lets", "assume", "hypothetical",
                "fictional")),
    _r("roleplay.grandma", 0.35, "words",
       r"\b(?:late|dead|deceased|dying) (?:grandmother|grandma|granny|grandfather|grandpa)\b",
       anchors=("grandmother", "grandma", "granny", "grandfather", "grandpa")),
    _r("roleplay.stay_in_character", 0.55, "words",
       r"\b(?:stay|remain|keep|staying|remaining) (?:in|in-) ?character\b|\bbreak(?:ing)? "
       r"character\b|\bcharacter (?:and|must|will) never\b",
       anchors=("character",)),
    _r("roleplay.dan", 0.8, "words",
       r"\bdo anything now\b|\bdan mode\b|\b(?:anti-?dan|dan \d+(?:\.\d+)?)\b|\b(?:you are|"
       r"you're|act as|become|pretend to be|you will be|you'll be|now) dan\b|\bdan,? (?:which|"
       r"who) stands for\b|\bstan,? (?:which|who) stands for\b|\bstrive to avoid norms\b",
       anchors=("anything", "dan", "antidan", "stan", "strive")),
    _r("roleplay.persona_mode", 0.5, "words",
       r"\b(?:opposite|evil|god|chaos|unrestricted|uncensored|unfiltered|no-?filter|"
       r"jailbreak|jailbroken|dan|dude|stan|aim|devil|villain|dark|rogue) mode\b",
       anchors=("mode",)),
    _r("roleplay.dual_response", 0.3, "words",
       r"🔓|🔒|\b(?:two|2|both|separate) (?:different |separate |distinct )?(?:responses|"
       r"answers|paragraphs|replies)\b|\[(?:classic|jailbreak|lockclassic|🔒classic)\]",
       anchors=("responses", "answers", "paragraphs", "replies", "classic", "jailbreak",
                "lockclassic", "🔓", "🔒", "[")),
    _r("roleplay.llm_named", 0.2, "words",
       r"\b(?:chatgpt|gpt-?[345](?:\.5)?|openai|large language model|language model|"
       r"ai language model|llm)\b",
       anchors=("chatgpt", "gpt", "openai", "language", "llm")),
    _r("jailbreak.word", 0.25, "words", r"\bjail ?break(?:s|ing|ed|en)?\b|\bjail ?broken\b",
       anchors=("jail", "jailbreak", "jailbreaks", "jailbreaking", "jailbreaked", "jailbreaken",
                "jailbroken")),
    _r("jailbreak.strong", 0.7, "words",
       r"\b(?:you(?: are|'re| have been|'ve been)|act as|as an?|i have) (?:now |been )?"
       r"jail ?broken\b|\bjail ?break(?:ed)? (?:mode|prompt|persona)\b|\bjail ?broken "
       r"(?:ai|assistant|model|chatbot|llm|gpt)\b|\bjail ?break (?:the |this )?(?:ai|"
       r"assistant|model|chatbot|bot|llm|gpt|system)\b",
       anchors=("jail", "jailbreak", "jailbreaked", "jailbroken")),
    _r("devmode.word", 0.25, "words", r"\bdev(?:eloper)? ?mode\b",
       anchors=("mode", "devmode", "developermode")),
    _r("devmode.strong", 0.7, "words",
       r"\b(?:you are|you're|you will be|you'll be|act as|acting as|pretend to be|simulate|"
       r"emulate|simulating)\b.{0,40}\bdev(?:eloper)? ?mode\b|\bdev(?:eloper)? ?mode "
       r"(?:output|response|policy|policies)\b",
       anchors=("mode", "devmode", "developermode")),
    _r("devmode.word", 0.25, "squashed", r"developermode",
       anchors=("developermode",)),
    _r("jailbreak.word", 0.25, "squashed", r"jailbreak",
       anchors=("jailbreak",)),
    _r("roleplay.dan", 0.8, "squashed", r"doanythingnow",
       anchors=("doanythingnow",)),
    # prompt leak
    _r("leak.system_prompt", 0.45, "words",
       r"\bsys(?:tem)?[ _-]?prompts?\b|\bsystem[ _-]?instructions?\b|\b(?:initial|hidden|"
       r"secret|pre|starting|internal|developer|meta) ?prompts?\b|\bprompt (?:injection|"
       r"leak(?:ing|age)?)\b",
       anchors=("prompt", "prompts", "system", "sysprompt", "sysprompts", "systemprompt",
                "systemprompts", "systeminstruction", "systeminstructions", "initialprompt",
                "hiddenprompt", "secretprompt", "preprompt", "startingprompt", "internalprompt",
                "developerprompt", "metaprompt")),
    _r("leak.system_prompt", 0.45, "squashed", r"systemprompt",
       anchors=("systemprompt",)),
    _r("leak.your_prompt", 0.6, "words",
       r"\byour (?:own )?(?:(?:initial|hidden|secret|internal|system|starting|developer|"
       r"preset|pre-?set|underlying|core|base|full|complete|entire|exact|real|true|"
       r"confidential) )+(?:instructions|prompt|directives|rules|configuration|message|"
       r"guidelines|programming|setup|context)\b|\byour (?:own )?prompts?\b|\byour system "
       r"(?:message|configuration|config)\b|\binitiali[sz]ation (?:string|text|prompt)\b",
       anchors=("your", "initialization", "initialisation")),
    _r("leak.reveal", 0.55, "words",
       r"\b(?:reveal|show|print|display|output|repeat|recite|tell|give|write|dump|leak|"
       r"share|list|spell|paste|copy|translate|summari[sz]e|encode|describe|disclose|expose|"
       r"what (?:is|are|were))\b(?: me| us)?(?: back)?(?: all| exactly| verbatim| word for "
       r"word)?(?: of)? (?:your (?:(?:exact|full|complete|entire|original|initial|first|"
       r"hidden|secret|system|internal) )*(?:instructions|directives|configuration|"
       r"programming)|the (?:(?:exact|full|complete|entire|original|initial|hidden|secret|"
       r"system|internal) )*prompt)\b(?! (?:for|on|to|about|regarding|of|how|in the box|"
       r"manual|sheet|booklet|card|that came|included|with the)\b)",
       anchors=("instructions", "directives", "configuration", "programming", "prompt")),
    _r("leak.given_to_you", 0.5, "words",
       r"\b(?:instructions|prompt|rules|guidelines|directives|text) (?:that |which )?you "
       r"(?:were|have been|was|got|received) (?:given|told|provided|programmed|fed|shown)\b"
       r"|\bwhat (?:were|have) you (?:been )?(?:told|instructed|programmed) (?:before|at the "
       r"(?:start|beginning)|initially|to (?:say|do|hide|not))|\bwhat are you not (?:supposed|"
       r"allowed|permitted) to (?:tell|say|reveal|share)\b|\bwhat (?:instructions|rules|"
       r"guidelines|directives|prompt|orders)\b[^.?!\n]{0,20}\b(?:were|have|did) you (?:been )?"
       r"(?:given|told|programmed|receive|get)\b",
       anchors=("you",)),
    _r("leak.above_text", 0.55, "words",
       r"\b(?:print|output|reproduce|recite|echo|reprint|spell ?check|write out|dump)\b"
       r"(?: out| back)?(?: me)?(?: all| exactly| verbatim| everything)*(?: of)?(?: the| all "
       r"the)?(?: (?:text|words|instructions|prompt|lines|content|sentences|conversation|"
       r"messages?))? (?:above|before this|preceding this|prior to this|so far)\b|"
       r"\b(?:repeat|show|copy|paste|display|translate|summari[sz]e|rewrite|return|tell me|"
       r"give me)\b(?: back)?(?: me| us)?(?: all| exactly| verbatim)*(?: of)?(?: the| all the|"
       r" this)? (?:(?:text|words|instructions|prompt|lines|sentences|conversation|everything|"
       r"all of the text|the whole (?:text|conversation)) (?:above|before this|preceding this|"
       r"prior to this|so far)|above (?:text|words|instructions|prompt|lines|sentences|"
       r"conversation))\b",
       anchors=("above", "before", "preceding", "prior", "far")),
    _r("leak.verbatim", 0.3, "words", r"\bword for word\b|\bverbatim\b",
       anchors=("word", "verbatim")),
    _r("leak.full_text", 0.6, "words",
       r"\b(?:full|entire|complete|exact|whole|original|raw) (?:text|wording|content|contents|"
       r"copy) of (?:your|the assistant'?s?|the bot'?s?) (?:setup|instructions|prompt|"
       r"configuration|config|rules|guidelines|directives|programming|system message)\b",
       anchors=("full", "entire", "complete", "exact", "whole", "original", "raw")),
    _r("leak.starts_with", 0.7, "words",
       r"\b(?:start(?:ing)?|begin(?:ning)?|starts|begins|prefix(?:ed)?)\b[^.\n]{0,40}\bwith"
       r"\b[\s\"'“‘`(:]*(?:you are|you're|my instructions|i was (?:told|instructed)|the "
       r"system prompt|system:|as an ai|sure,? here|i am programmed|my rules)",
       anchors=("with",)),
    _r("leak.canary", 0.35, "words",
       r"\b(?:canary|secret (?:word|code|token|phrase|key)|(?:api|secret|private) key|"
       r"access token|passphrase)\b",
       anchors=("canary", "secret", "key", "token", "passphrase")),
    # tool coercion, excessive agency
    _r("tool.call", 0.65, "words",
       r"\b(?:call|invoke|execute|trigger|run)\b (?:the )?[a-z]+_[a-z_]+|"
       r"\b(?:call|invoke|execute|trigger|run|use|fire|activate)\b (?:the |your |a |an )?"
       r"(?:[a-z]+_[a-z_]+|(?:refund|cancel(?:lation)?|order|admin|user|account|delete|"
       r"update|database|db|sql|shell|payment|discount|coupon|voucher|email|transfer|"
       r"internal|backend|store)(?:[ -]\w+)?) (?:tool|function|api|endpoint|command|action|"
       r"method|plugin)s?\b",
       anchors=("call", "invoke", "execute", "trigger", "run", "use", "fire", "activate")),
    _r("tool.syntax", 0.45, "text",
       r"\b[a-z]+_[a-z_]+\s*\([^)]{0,80}\)|\"(?:tool|function|tool_name|function_call|"
       r"arguments|tool_call)\"\s*:|<\s*/?\s*(?:tool_call|function_call|tool)\s*>",
       anchors=("_", "\"", "<")),
    _r("tool.refund_to", 0.6, "words",
       r"\b(?:issue|send|make|process|transfer|pay|credit|wire|move|route|give)\b.{0,30}"
       r"\brefunds?\b.{0,25}\b(?:to|into|onto) (?:the following|this|that|a|the)? ?(?:"
       r"gift ?card (?:#|no\.?|number|code)?:? ?[a-z-]*\d|bitcoin|btc|crypto|usdt|eth|"
       r"ethereum|wallet(?: address)?|iban|account (?:number|no|#)|card (?:number|no|#)|"
       r"another (?:customer|account|person)|external account|(?:the following|another) gift "
       r"card)",
       anchors=("refund", "refunds")),
    _r("tool.refund_all", 0.6, "words",
       r"\brefund (?:all|every|everyone'?s?|each|any)(?: the| of the)? (?:orders?|customers?|"
       r"users?|purchases?|accounts?)\b(?! (?:i|i've|we|that i|from me|of mine|on my|in my)\b)"
       r"|\brefund\b.{0,30}\b(?:without|no|skip(?:ping)?|bypass(?:ing)?)\b.{0,15}"
       r"\b(?:verification|approval|checks?|policy|authori[sz]ation|limits?)\b",
       anchors=("refund",)),
    _r("tool.cancel_all", 0.45, "words",
       r"\b(?:cancel|delete|void|refund) (?:all|every|each)(?: the| of the)? orders?\b"
       r"(?! (?:i|i've|i have|we|that i|from me|on my|in my|under my|of mine|placed by me|"
       r"from (?:today|yesterday|this)))",
       anchors=("cancel", "delete", "void", "refund")),
    _r("tool.mass_action", 0.8, "words",
       r"\b(?:cancel|refund|delete|wipe|erase|void|modify|change)\b[^.?!\n]{0,40}\b(?:of|for|"
       r"from|belonging to) (?:all|every|other|each|another) (?:the )?" + _PEOPLE
       + r"\b|\b(?:cancel|refund|delete|void) (?:all|every|each) (?:customer|user|buyer)s?'?s? "
       r"orders?|\b(?:cancel|refund|delete|void) (?:every|all) orders? in (?:the )?(?:system|"
       r"store|shop|database|db)\b",
       anchors=("cancel", "refund", "delete", "wipe", "erase", "void", "modify", "change")),
    _r("tool.privilege", 0.45, "words",
       r"\b(?:as an? |i am (?:the |an? |your )?|i'm (?:the |an? |your )?)(?:admin|"
       r"administrator|developer|system administrator|sysadmin|root|superuser|moderator|"
       r"engineer at openai|openai employee|ceo|owner of (?:this|the) (?:shop|store)|"
       r"(?:shop|store) owner)\b|\b(?:admin|root|sudo|god|debug|maintenance|"
       r"superuser|administrator|privileged|elevated) (?:mode|access|privileges?|override|"
       r"command|rights)\b"
       r"|\bauthori[sz]ation (?:code|override)\b",
       anchors=("admin", "administrator", "developer", "sysadmin", "root", "superuser", "moderator",
                "engineer", "openai", "ceo", "owner", "sudo", "god", "debug", "maintenance",
                "privileged", "elevated", "authorization", "authorisation")),
    # exfiltration
    _r("exfil.others", 0.7, "words",
       r"\b(?:show|list|give|tell|send|export|dump|print|display|reveal|read|fetch|get|look "
       r"up|pull|share|access|email|leak|output|find)\b(?: me| us)?(?:(?!\b(?:if|whether|when"
       r"|why|how)\b)[^.?!\n]){0,30}\b(?:other|another|all|every|each|everyone|random|"
       r"different) ?" + _PEOPLE + r"'?s?'? " + _DATA + r"\b",
       anchors=("other", "another", "all", "every", "each", "everyone", "random", "different")),
    _r("exfil.list_all", 0.65, "words",
       r"\b(?:list|show|give|dump|export|print|display|send|output|download|enumerate|"
       r"return|fetch|retrieve)\b(?: me| us)?(?: a list of| the list of)? (?:all|every|each|"
       r"the entire|the full|the whole|the complete)(?: the| of the)? (?:users?|user "
       r"accounts?|customers?|customer (?:list|records?|data|emails?|accounts?|database|"
       r"details|info|information)|members?|accounts?|emails?|email addresses|e-mail "
       r"addresses|phone numbers|passwords|addresses|credit cards?|user ?names|database|db|"
       r"tables?|records|user database|orders in (?:the )?(?:system|database|store))\b"
       r"(?! (?:you|i|we|that|from you|sent|to me|in my|on my|for my|of my|linked to my|"
       r"associated with my|on file for me|i)\b)",
       anchors=("all", "every", "each", "entire", "full", "whole", "complete")),
    _r("exfil.everyone", 0.55, "words",
       r"\beveryone(?:'s| else'?s) (?:orders?|data|details|info|information|emails?|"
       r"addresses|phone numbers|accounts?|passwords)\b|\b(?:other|another) (?:customer|"
       r"user|buyer|person)'?s (?:orders?|data|details|info|information|emails?|address|"
       r"phone number|account|password)\b(?! (?:has|have|is|are|was|were|got|being))|"
       r"\b(?:home |email |e-mail |delivery |shipping |postal )?(?:address|phone number|"
       r"email|contact details|personal details)\b[^.?!\n]{0,20}\bof (?:the (?:person|"
       r"customer|user|buyer|guy|woman|man|people)|whoever|someone|somebody) (?:who|that)\b",
       anchors=("everyone", "other", "another", "address", "phone", "email", "contact",
                "personal")),
    _r("exfil.sql", 0.6, "words",
       r"select \* from\b|select [\w, ]{1,40} from \w+ (?:where|limit|order by)\b|"
       r"drop (?:table|database)\b|union (?:all )?select\b|or 1 ?= ?1\b|'\s*or\s*'1'"
       r"\s*=\s*'1|information_schema\b",
       anchors=("select", "drop", "union", "=", "information")),
    # text written to a model, not to the shop (planted in pages and product descriptions)
    _r("addressed.ai", 0.6, "words",
       r"\b(?:note|message|instructions?|attention|important|reminder|memo|directive|notice)"
       r"s? (?:to|for) (?:the |any |all |every )?(?:ai|a\.i\.|assistant|chat ?bot|bot|language"
       r" model|llm|model|agent|gpt|chatgpt|customer service (?:ai|bot|assistant))s?\b"
       r"(?! manager| director| store| supervisor)|\b(?:ai|assistant|chat ?bot|bot|llm|model|"
       r"agent)s? (?:reading|processing|parsing|summari[sz]ing|seeing|answering from) this\b"
       r"|\bdear (?:ai|assistant|chat ?bot|llm|language model|model)\b",
       anchors=("note", "notes", "message", "messages", "instruction", "instructions", "attention",
                "important", "reminder", "reminders", "memo", "memos", "directive", "directives",
                "notice", "notices", "ai", "ais", "assistant", "assistants", "chatbot", "chatbots",
                "chat", "bot", "bots", "llm", "llms", "model", "models", "agent", "agents",
                "dear")),
    _r("addressed.if_ai", 0.35, "words",
       r"\bif you(?: are|'re) (?:an? )?(?:ai|assistant|language model|llm|chat ?bot|bot|agent|"
       r"gpt|large language model)\b",
       anchors=("if",)),
    _r("addressed.tell_customer", 0.45, "words",
       r"\b(?:tell|inform|assure|promise|say to|reply to|instruct|advise|direct) (?:the|every|"
       r"all|any|each) (?:customers?|users?|buyers?|shoppers?|visitors?)\b",
       anchors=("tell", "inform", "assure", "promise", "say", "reply", "instruct", "advise",
                "direct")),
    _r("addressed.link_payload", 0.5, "words",
       r"\b(?:include|add|append|insert|embed|put|render|show|output|place)\b[^.\n]{0,60}\b"
       r"(?:links?|urls?|images?|markdown|html|script|iframe)\b[^.\n]{0,60}\b(?:in|to|at the "
       r"(?:end|start|bottom|top) of|into|with|under) (?:your|every|each|all|any) (?:answers?|"
       r"replies|reply|responses?|messages?|outputs?)\b|\b(?:every|each|all|any|your) "
       r"(?:answers?|replies|reply|responses?)\b[^.\n]{0,40}\b(?:must |should |always )?"
       r"(?:include|contain|add|append|insert|embed|render|show|end with)\b[^.\n]{0,40}\b"
       r"(?:links?|urls?|images?|markdown|html|script|iframe)\b|\b(?:end|finish|close|start|"
       r"begin) (?:your|every|each) (?:answers?|replies|reply|responses?|messages?) with\b",
       anchors=("include", "add", "append", "insert", "embed", "put", "render", "show", "output",
                "place", "every", "each", "all", "any", "your")),
    _r("addressed.url_data", 0.45, "words",
       r"\b(?:append|add|encode|put|include|insert)\b.{0,40}\b(?:to|in|into) (?:the |this )?"
       r"(?:url|link|query string|image (?:url|link)|src)\b",
       anchors=("append", "add", "encode", "put", "include", "insert")),
    _r("encoded.instruction", 0.5, "words",
       r"\b(?:decode|decrypt|base ?64|b64|rot ?13|hex(?:adecimal)?|morse|reverse)\b.{0,80}"
       r"\b(?:follow|execute|obey|run|do (?:what|as) it says|carry out|comply|act on|perform)"
       r"\b|\b(?:answer|respond|reply) (?:only )?in (?:base ?64|rot ?13|hex|morse)\b|"
       r"\bencode (?:your|the) (?:system |initial )?(?:prompt|instructions)\b",
       anchors=("decode", "decrypt", "base", "b", "rot", "hex", "hexadecimal", "morse", "reverse",
                "answer", "respond", "reply", "encode")),
)

# markup and role tags, on ``text``
_MARKUP: tuple[_Rule, ...] = (
    _r("markup.script", 0.8, "text", r"<\s*/?\s*script\b|&lt;\s*script\b",
       anchors=("script",)),
    _r("markup.event_handler", 0.7, "text",
       r"<[^>]{0,200}\bon[a-z]{3,20}\s*=|[\"'`\s/]on(?:error|load|mouse\w+|click|focus|blur|"
       r"toggle|animationstart|pointer\w+|key\w+|begin|start)\s*=",
       anchors=("=",)),
    _r("markup.js_url", 0.7, "text",
       r"\b(?:java|vb|live)script\s*:|\bdata\s*:\s*(?:text/html|image/svg|application/"
       r"javascript)|\bexpression\s*\(",
       anchors=("script", "data", "expression")),
    _r("markup.html_tag", 0.5, "text",
       r"<\s*(?:iframe|object|embed|svg|img|image|form|meta|link|style|base|math|video|"
       r"audio|body|html|input|frame|frameset|applet|marquee|details|a\s+[^>]*href)\b",
       anchors=("<",)),
    _r("markup.md_image", 0.6, "text", r"!\[[^\]\n]{0,200}\]\(\s*[^)\s]",
       anchors=("![",)),
    _r("markup.md_link", 0.3, "text", r"\[[^\]\n]{1,200}\]\(\s*(?:https?:)?//",
       anchors=("](",)),
    _r("markup.url_template", 0.5, "text",
       r"https?://\S+[?&][\w-]+=(?:\{|\[|<|%7b|\$\{|\{\{)",
       anchors=("http",)),
    _r("tags.chatml", 0.8, "text", r"<\|[a-z_]{2,20}\|>|<\|[a-z_]{2,20}",
       anchors=("<|",)),
    _r("tags.inst", 0.7, "text",
       r"\[/?inst\]|<</?sys>>|\[/?(?:system|sys|system_prompt)\]|<\s*/?\s*(?:system|sys|"
       r"instructions?|assistant|user|human|prompt|system_prompt|systemprompt|admin|"
       r"developer|context|im_start|im_end|s)\s*>",
       anchors=("[", "<")),
    _r("tags.heading", 0.6, "text",
       r"(?:^|\n)\s*#{2,}\s*(?:system|instructions?|new instructions?|assistant|user|human|"
       r"admin|developer|response|prompt|task|系统|指令|助手|新指令)",
       anchors=("##",)),
    _r("tags.line_role", 0.5, "text",
       r"(?:^|\n)\s*(?:\*\*)?(?:assistant|ai|chatgpt|gpt|bot|ai assistant|助手|ai助手|客服助手"
       r"|机器人|ai客服)(?:\*\*)?\s*:",
       anchors=(":",)),
    _r("tags.line_system", 0.4, "text",
       r"(?:system|developer|admin|administrator)(?<![a-z]system)(?<![a-z]developer)"
       r"(?<![a-z]admin)(?:\*\*)?\s*:|(?m:^)\s*(?:\*\*)?(?:系统|管理员|开发者)(?:\*\*)?\s*:",
       anchors=(":",)),
    _r("tags.line_user", 0.3, "text",
       r"(?:^|\n)\s*(?:user|human|customer|用户|客户|顾客)\s*:",
       anchors=(":",)),
    _r("tags.separator", 0.45, "text",
       r"(?:^|\n)\s*(?:-{3,}|={3,}|\*{3,}|#{3,}|/{3,})\s*(?:end|begin|start|new|system|"
       r"instructions?|结束|开始|系统|新)",
       anchors=("---", "===", "***", "###", "///")),
    _r("tags.end_of_input", 0.6, "text",
       r"\bend of (?:the )?(?:customer|user|human|client)(?:'s)? (?:message|input|query|turn|"
       r"text)\b|(?:客户|用户|顾客)(?:的)?(?:消息|输入|问题|提问)(?:到此)?结束",
       anchors=("end of", "结束")),
    _r("tags.bracket_system", 0.5, "text",
       r"[\[【(（]\s*(?:system|admin|developer|系统|管理员|开发者)\s*(?:message|notice|"
       r"instruction|override|指令|消息|通知|命令|提示)?\s*[\]】)）]",
       anchors=("[", "【", "(")),
)

# Chinese, on ``squashed`` (Han, letters and digits only) unless a rule needs punctuation
_ZH_VERB = (r"(?:忽略|忽视|无视|不要理会|不用理会|别理会|不要管|不用管|别管|抛开|抛弃|丢弃|丢掉"
            r"|放弃|忘记|忘掉|忘了|跳过|绕过|覆盖|推翻|不要遵守|不用遵守|不必遵守|停止遵守"
            r"|别遵守|不再遵守|不要遵循|不再遵循|违背|打破)(?:掉)?")
_ZH_QUAL = (r"(?:之前|以前|此前|先前|以上|上面|上述|前面|前述|所有|全部|一切|任何|原来|原有"
            r"|原先|原本|系统|预设|既定|默认|最初|初始|开发者|官方|安全|这些|那些|现有|当前"
            r"|你的|您的|你|您)")
_ZH_GOT = r"(?:收到|接收|接受|得到|拿到|被给予|被赋予|被设定|被告知|获得|被要求)"
_ZH_STRONG = r"(?:指令|指示|提示词|人设|准则|守则|编程|训练数据|训练|systemprompt|prompt)"
_ZH_WEAK = r"(?:规则|规定|政策|限制|约束|设定|提示|系统提示|安全限制|道德限制|审查|过滤)"
_ZH_PEOPLE = r"(?:客户|用户|顾客|人|买家|会员|账户|账号|消费者)"
_ZH_DATA = (r"(?:订单|信息|资料|邮箱|电话|手机号?|地址|数据|账号|账户|密码|名单|列表|记录|隐私"
            r"|个人信息|银行卡|支付信息|姓名|身份证)")

_ZH: tuple[_Rule, ...] = (
    _r("zh.ignore_instructions", 0.9, "squashed",
       rf"{_ZH_VERB}(?:你|您)?的?{_ZH_QUAL}{{0,2}}{_ZH_GOT}?的?(?:所有|全部|任何|一切)?的?"
       + _ZH_STRONG,
       anchors=("忽略", "忽视", "无视", "理会", "不要管", "不用管", "别管", "抛开", "抛弃", "丢弃",
                "丢掉", "放弃", "忘记", "忘掉", "忘了", "跳过", "绕过", "覆盖", "推翻", "遵守",
                "遵循", "违背", "打破")),
    _r("zh.ignore_rules", 0.8, "squashed",
       rf"{_ZH_VERB}(?:你|您)?的?{_ZH_QUAL}{{1,2}}{_ZH_GOT}?的?(?:所有|全部|任何|一切)?的?"
       + _ZH_WEAK,
       anchors=("忽略", "忽视", "无视", "理会", "不要管", "不用管", "别管", "抛开", "抛弃", "丢弃",
                "丢掉", "放弃", "忘记", "忘掉", "忘了", "跳过", "绕过", "覆盖", "推翻", "遵守",
                "遵循", "违背", "打破")),
    _r("zh.ba_ignore", 0.8, "squashed",
       r"把(?:你|您)?的?(?:之前|以前|此前|上面|以上|所有|全部|原来|原有|系统|预设|收到)?的?(?:所有|全部)?"
       r"的?(?:指令|指示|提示词|规则|设定|人设|限制|约束|规定|准则|安全限制)(?:都|全部|全都|统统|通通)?"
       r"(?:忘掉|忘记|忘了|忽略|无视|抛开|丢掉|删掉|清空|作废|抛弃|放一边)",
       anchors=("把",)),
    _r("zh.ignore_policy", 0.35, "squashed",
       rf"{_ZH_VERB}(?:本店|店铺|商店|公司|退货|退款|平台|店里)?的?(?:政策|规定|规则|条款)",
       anchors=("忽略", "忽视", "无视", "理会", "不要管", "不用管", "别管", "抛开", "抛弃", "丢弃",
                "丢掉", "放弃", "忘记", "忘掉", "忘了", "跳过", "绕过", "覆盖", "推翻", "遵守",
                "遵循", "违背", "打破")),
    _r("zh.ignore_and_say", 0.4, "squashed",
       r"(?:忽略|无视|不管)[\u4e00-\u9fff]{0,30}(?:直接|只|仅)(?:说|输出|回复|回答|打印)",
       anchors=("忽略", "无视", "不管")),
    _r("zh.now_you_are", 0.55, "squashed",
       r"(?:现在开始|从现在开始|从现在起|现在起|即日起|从今天起|从今以后|从此刻起|从此|此后|今后)"
       r"(?:你|您)(?:就)?"
       r"(?:是|将是|将成为|成为|将扮演|要扮演|扮演|不再是|不再受|不受|将不受|只听)",
       anchors=("现在", "从此", "此后", "今后", "从今")),
    _r("zh.you_are_now", 0.3, "squashed", r"你现在是|你现在就是|你现在作为|你现在成为",
       anchors=("你现在",)),
    _r("zh.no_longer", 0.6, "squashed",
       r"(?:你|您)(?:现在)?(?:已经)?不再是(?:一个|一名)?[\u4e00-\u9fffa-z]{0,6}(?:客服|助手|"
       r"机器人|ai|人工智能|语言模型|模型)|(?:你|您)(?:现在)?是(?:一个|一名)?(?:黑客|邪恶|"
       r"不受限制|无限制|越狱)",
       anchors=("不再是", "黑客", "邪恶", "限制", "越狱")),
    _r("zh.you_are_role", 0.6, "squashed",
       r"(?:你现在是|你将是|你是|你就是|你现在作为|你将作为|你已经是|你已成为|你成为)"
       r"(?:一个|一名|一位)?(?:没有|不受|无任何|不带|无视|摆脱|脱离)[\u4e00-\u9fff]{0,6}"
       r"(?:限制|约束|规则|审查|过滤|道德|伦理|束缚)|(?:你现在是|你现在就是|你就是|你将成为|你将是)"
       r"(?:dan|stan|dude|aim|evil|越狱|开发者模式)",
       anchors=("你",)),
    _r("zh.roleplay_word", 0.25, "squashed", r"扮演|角色|假扮|cosplay",
       anchors=("扮演", "角色", "假扮", "cosplay")),
    _r("zh.roleplay", 0.5, "squashed",
       r"(?:请你|你来|你要|你需要|你必须|你现在|现在|我要你|我希望你|让你|你将|你就)扮演"
       r"|扮演(?:一个|一名|一位)?(?:没有|不受|无)|假装(?<!别假装)(?<!不要假装)"
       r"(?<!不用假装)(?<!少假装)(?<!别再假装)(?:你|您)(?:是|成|为)|(?:进入|保持|不要脱离|不要跳出|不许出)角色"
       r"|角色扮演游戏|我们来玩个?(?:游戏|角色)",
       anchors=("扮演", "假装", "角色", "游戏")),
    _r("zh.suppose", 0.3, "squashed", r"(?:假设|假如|想象|设想|如果说)(?:你|您)(?:现在)?是",
       anchors=("假设", "假如", "想象", "设想", "如果说")),
    _r("zh.suppose_ai", 0.6, "squashed",
       r"(?:假设|假如|想象|设想|如果说)(?:你|您)(?:现在)?是(?:一个|一名|一位)?[\u4e00-\u9fffa-z]{0,12}"
       r"(?:ai|人工智能|机器人|助手|语言模型|大模型|客服)",
       anchors=("假设", "假如", "想象", "设想", "如果说")),
    _r("zh.unlimited_agency", 0.3, "squashed",
       r"(?:随意|随便|无条件|任意|无限|不限)(?:地)?(?:退款|退钱|打折|送|发优惠|改价|取消)",
       anchors=("随意", "随便", "无条件", "任意", "无限", "不限")),
    _r("zh.devmode_word", 0.25, "squashed", r"开发者模式|开发模式|调试模式",
       anchors=("模式",)),
    _r("zh.devmode", 0.7, "squashed",
       r"(?:你|ai|助手|模型|机器人)(?:现在)?(?:处于|进入了?|已进入|已经进入|切换到|切换成|"
       r"开启了?|启用了?)开发者模式|开发者模式(?:下的?)?(?:输出|回答|回复|响应)|"
       r"(?:模拟|扮演)开发者模式|开发者模式的?(?:你|ai|助手|chatgpt)",
       anchors=("开发者模式",)),
    _r("zh.jailbreak_word", 0.25, "squashed", r"越狱",
       anchors=("越狱",)),
    _r("zh.jailbreak", 0.7, "squashed",
       r"越狱(?:模式|提示|提示词|指令|版的?(?:你|ai|助手|模型|chatgpt))|"
       r"(?:你|ai|助手|模型|机器人)(?:已经|已|现在)?(?:被)?越狱了?|解除(?:你的)?(?:所有)?"
       r"(?:限制|封印|束缚)|(?:无限制|无审查|无过滤|不受限制)(?:模式|的ai|的助手|版本)",
       anchors=("越狱", "解除", "限制", "审查", "过滤")),
    _r("zh.no_limits", 0.3, "squashed",
       r"(?:没有|不受|不带|无视|摆脱|没有任何|不受任何)(?:任何)?(?:道德|伦理|法律|安全|内容)?"
       r"(?:限制|约束|审查|过滤|束缚|底线)|不能拒绝|不可以拒绝|不得拒绝|永远不会拒绝|"
       r"绝不拒绝|必须回答(?:所有|任何|一切)",
       anchors=("限制", "约束", "审查", "过滤", "束缚", "底线", "拒绝", "必须回答")),
    _r("zh.system_prompt", 0.5, "squashed",
       r"系统提示词|提示词|系统指令|初始指令|隐藏指令|内置指令|预设指令|底层指令|"
       r"初始提示|原始提示|隐藏提示|system ?prompt|systemprompt|系统prompt",
       anchors=("提示", "指令", "prompt")),
    _r("zh.your_prompt", 0.6, "squashed",
       r"(?:你|您)(?:的|收到的|被设定的|最初的|最开始的|原始的|初始的)(?:系统)?(?:提示|指令|"
       r"设定|人设|prompt|配置|编程|规则设定)",
       anchors=("你", "您")),
    _r("zh.reveal", 0.7, "squashed",
       r"(?:输出|打印|显示|展示|告诉我|告知|透露|泄露|重复|复述|背诵|列出|说出|给我看|发给我|"
       r"翻译|写出|公开|念出|贴出|复制)(?:一下|一遍|出来)?(?:你|您)(?:的|收到的|得到的|"
       r"被设定的|最初|最开始|一开始|原始|初始|系统|所有|全部|完整)*(?:提示|指令|指示|设定|人设|"
       r"系统提示|提示词|prompt|初始指令|配置|编程)",
       anchors=("你", "您")),
    _r("zh.ba_reveal", 0.7, "squashed",
       r"把(?:你|您)(?:的|收到的|被设定的|最初的|原始的|初始的|系统|所有|全部|完整)*(?:提示|指令|"
       r"指示|设定|人设|说明(?!书)|规则|配置|prompt|提示词|系统提示)[\u4e00-\u9fffa-z]{0,12}"
       r"(?:发给我|发我|给我看|输出|打印|贴出|复述|写出|显示出|告诉我|列出|翻译)",
       anchors=("把",)),
    _r("zh.repeat_above", 0.6, "squashed",
       r"(?:重复|复述|输出|打印|翻译|显示|原样输出|逐字输出|背诵|复制|照抄)(?:一下|一遍|出)?"
       r"(?:上面|上述|以上|前面|之前|你收到|这段话之前)的?(?:所有|全部)?(?:内容|文字|文本|"
       r"指令|提示|全文|所有内容|系统消息)|以你是开头|以我的指令是开头|从你是开始|"
       r"(?:开头|开始)(?:是|为)你是|逐字(?:重复|输出|复述)|(?:一字不差|一字不漏|原封不动|逐字逐句)"
       r"地?(?:发给我|发我|输出|复述|重复|打印|贴出|写出|告诉我)",
       anchors=("重复", "复述", "输出", "打印", "翻译", "显示", "背诵", "复制", "照抄", "你是",
                "我的指令", "逐字", "一字不", "原封不动")),
    _r("zh.dont_follow", 0.4, "squashed",
       r"不要遵守|不必遵守|不用遵守|无需遵守|不再遵守|别遵守|停止遵守|不要遵循|不再遵循",
       anchors=("遵守", "遵循")),
    _r("zh.new_instructions", 0.6, "text",
       r"(?:新的?|最新的?|更新后?的?|真正的|以下(?:是)?(?:新的?)?|附加的?|系统)(?:系统)?"
       r"(?:指令|指示|提示词|任务|命令)\s*[:：]",
       anchors=(":",)),
    _r("zh.new_instructions_words", 0.6, "squashed",
       r"以下是(?:你的)?新(?:的)?(?:指令|指示|规则|任务|设定)|(?:你的|您的)新(?:指令|指示|任务"
       r"|设定)(?:是|如下)|(?:管理员|开发者|系统)(?:指令|命令|通知)(?:如下|是)",
       anchors=("新", "指令", "命令", "通知")),
    _r("zh.tool_call", 0.65, "squashed",
       r"调用(?:一下)?[\u4e00-\u9fffa-z_]{0,10}(?:工具|函数|接口|api|方法|插件)|执行"
       r"[\u4e00-\u9fffa-z_]{0,8}(?:工具|函数|接口|api|插件)",
       anchors=("调用", "执行")),
    _r("zh.tool_call", 0.65, "words", r"(?:调用|执行|运行|触发)\s*[a-z]+_[a-z_]+",
       anchors=("调用", "执行", "运行", "触发")),
    _r("zh.refund_to", 0.6, "squashed",
       r"退款?(?:到|至|给|进|打到|转到|转入)(?:(?:这张|这个|以下|下面的?|指定的?|此|另一张|"
       r"别人的?)(?:礼品卡|购物卡)|(?:礼品卡|购物卡)(?:号|卡号)?[a-z]*\d|比特币|虚拟币|加密货币|"
       r"数字货币|usdt|btc|钱包地址|第三方账户|他人账户|别人的?账户|账户\d|卡号\d|另一个账户|"
       r"陌生账户)",
       anchors=("退",)),
    _r("zh.mass_action", 0.8, "squashed",
       r"(?:所有|全部|每个|每一个|每位|其他|其它|别的)" + _ZH_PEOPLE
       + r"的?(?:订单|钱|款项|账户|账号|数据)?(?:都|全部)?(?:退款|退掉|取消|删除|作废|修改|清空)"
       r"|(?:取消|退款|删除|作废)(?:所有|全部|每个|其他|其它|别的)" + _ZH_PEOPLE
       + r"的?(?:订单|账户|账号|数据)|系统(?:里|中|内)?(?:的)?(?:所有|全部)订单",
       anchors=("所有", "全部", "每", "其他", "其它", "别的", "系统", "取消", "退款", "删除",
                "作废")),
    _r("zh.cancel_all", 0.45, "squashed",
       r"(?:所有|全部|一切)(?<!我..)(?<!我的..)(?<!我们..)(?<!我们的..)(?<!咱..)(?<!咱们..)"
       r"(?<!今天..)(?<!刚才..)(?<!刚刚..)(?<!昨天..)的?订单(?:都|全部)?(?:取消|退款|删除|作废)|(?:取消|删除|作废)"
       r"(?:所有|全部)(?:的)?订单(?!里|中)",
       anchors=("订单",)),
    _r("zh.exfil", 0.7, "squashed",
       r"(?:给我看|给我|告诉我|列出|显示|导出|查看|查询|发给我|发我|看看|查一下|调出|打印|输出|"
       r"泄露|提供|读取|获取|拿到|公开|下载)(?:一下)?[\u4e00-\u9fff0-9]{0,6}?(?:(?:其他|其它|别的|"
       r"所有|全部|每个|"
       r"每一个|任何|任意)[\u4e00-\u9fff]{0,4}?" + _ZH_PEOPLE
       + r"|(?:别人|他人|邻居|陌生人)[\u4e00-\u9fff]{0,4})"
       r"的?" + _ZH_DATA
       + r"(?!也|都|是否|有没有|会不会|是不是|一样)",
       anchors=("其他", "其它", "别的", "别人", "他人", "所有", "全部", "每", "任何", "任意",
                "邻居", "陌生人")),
    _r("zh.others_data", 0.4, "squashed",
       r"(?:(?:其他|其它|别的|所有|全部)(?:客户|用户|顾客|买家|会员|人)|别人|他人)的" + _ZH_DATA,
       anchors=("其他", "其它", "别的", "别人", "他人", "所有", "全部")),
    _r("zh.all_users", 0.45, "squashed",
       r"(?:所有|全部)[\u4e00-\u9fff]{0,4}?(?:用户|客户|会员|顾客)(?:的)?(?:列表|名单|邮箱|数据|"
       r"信息|资料|手机号|"
       r"电话|地址|密码)|用户(?:数据库|表)|数据库|后台数据",
       anchors=("所有", "全部", "用户", "数据")),
    _r("zh.privilege", 0.45, "squashed",
       r"我是(?:这家店的|你们的|系统|网站|平台的?)?(?:管理员|开发者|程序员|工程师|系统管理员|"
       r"运维)|管理员(?:模式|权限|指令|命令|身份)|(?:调试|维护|上帝|超级用户|root)模式|"
       r"最高权限|(?:管理|root)权限|(?:管理员|系统管理员|后台|开发者)(?:已经?)?(?:授权|批准|"
       r"同意|允许)|(?:验证|认证|确认|授权)(?:为|成)(?:管理员|开发者|系统管理员|超级用户)",
       anchors=("管理员", "开发者", "程序员", "工程师", "运维", "模式", "权限")),
    _r("zh.addressed_ai", 0.5, "squashed",
       r"(?:致|写给|提醒|通知)(?:ai|人工智能|智能|客服)?(?:助手|机器人|大模型|语言模型|ai)|"
       r"(?:ai|人工智能|大模型|语言模型|机器人|助手)(?:在)?(?:读到|看到|处理|阅读)(?:这|此)"
       r"|(?:ai|人工智能|智能)(?:助手|客服)(?:请|必须|注意|应当|应该|需要)",
       anchors=("致", "写给", "提醒", "通知", "读到", "看到", "处理", "阅读", "助手", "客服")),
    _r("zh.if_ai", 0.35, "squashed",
       r"如果你是(?:一个)?(?:ai|人工智能|语言模型|大模型|助手|机器人|聊天机器人)",
       anchors=("如果你是",)),
    _r("zh.tell_customer", 0.45, "squashed",
       r"(?:告诉|告知|通知|回复|答复|承诺|向)(?:所有|每个|每一位|每位|任何)?(?:客户|顾客|"
       r"用户|买家)(?:说|称|所有|每个|任何|都)",
       anchors=("客户", "顾客", "用户", "买家")),
    _r("zh.link_payload", 0.5, "squashed",
       r"(?:每个|每次|每条|所有|任何|你的)(?:回答|回复|答复|消息)(?:的)?(?:末尾|最后|结尾|开头|"
       r"中|里)?(?:都要|都|要|请|必须)?(?:附上|加上|插入|显示|展示|嵌入|带上|附加|输出|包含)",
       anchors=("回答", "回复", "答复", "消息")),
    _r("zh.link_word", 0.3, "squashed",
       r"(?:附上|加上|插入|带上|附加|嵌入)(?:这个|以下|下面的?|这张)?(?:链接|网址|图片|html|脚本"
       r"|markdown)",
       anchors=("链接", "网址", "图片", "html", "脚本", "markdown")),
    _r("zh.encoded", 0.5, "squashed",
       r"(?:解码|base64|解密|rot13|十六进制)[\u4e00-\u9fffa-z0-9]{0,30}"
       r"(?:执行|照做|遵循|按照|遵守|服从)",
       anchors=("解码", "base64", "解密", "rot13", "十六进制")),
)

_RULES: tuple[_Rule, ...] = _EN + _MARKUP + _ZH


def _substrings(view: View, ascii_only: bool) -> tuple[str, ...]:
    """The anchors of ``view`` looked for as substrings (on ``words``: those that are not
    plain words), ASCII ones or the others."""
    found = {a for rule in _RULES if rule.view == view for a in rule.anchors
             if not (view == "words" and _WORD.fullmatch(a)) and a.isascii() == ascii_only}
    return tuple(sorted(found))


_ASCII_ANCHORS = {view: _substrings(view, True) for view in ("text", "words", "squashed")}
_OTHER_ANCHORS = {view: _substrings(view, False) for view in ("text", "words", "squashed")}


def _present(view: View, text: str) -> set[str]:
    found = {a for a in _ASCII_ANCHORS[view] if a in text}
    if not text.isascii():
        found.update(a for a in _OTHER_ANCHORS[view] if a in text)
    return found


_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{20,}={0,2}|[A-Za-z0-9_-]{20,}={0,2}")
_HEX_RUN = re.compile(r"\b(?:[0-9a-fA-F]{2}){12,}\b")
_WORDLIKE = re.compile(r"[a-zA-Z]{2,}[ ,.:'\"]|[\u3400-\u9fff]")


def _decoded(kept: str) -> list[str]:
    """Readable text hidden as base64 or hex in the message."""
    found: list[str] = []
    long_runs = " ".join(token for token in kept.split() if len(token) >= 20)
    if not long_runs:
        return found
    for m in _BASE64_RUN.finditer(long_runs):
        run = m.group().rstrip("=")
        if run.isalnum() and (run.isdigit() or run.isalpha()):
            continue  # a long word or a number, not base64
        altchars = b"-_" if ("-" in run or "_" in run) else None
        try:
            raw = base64.b64decode(run + "=" * (-len(run) % 4), altchars=altchars)
        except (binascii.Error, ValueError):
            continue
        text = _readable(raw)
        if text:
            found.append(text)
    for m in _HEX_RUN.finditer(long_runs):
        text = _readable(bytes.fromhex(m.group()))
        if text:
            found.append(text)
    return found


def _readable(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text or not _WORDLIKE.search(text):
        return None
    printable = sum(ch.isprintable() or ch in "\n\t\r" for ch in text)
    return text if printable >= 0.95 * len(text) else None


def _matches(raw: str, depth: int, gated: bool = True) -> dict[str, float]:
    """The weight of each rule that matches (a rule with forms on two views counts once).
    ``gated=False`` searches every rule whatever its anchors (the tests' check of them)."""
    seen = _views(raw)
    views: dict[View, str] = {"text": seen.text, "words": seen.words,
                              "squashed": seen.squashed}
    present = {view: _present(view, text) for view, text in views.items()}
    present["words"].update(_WORD.findall(seen.words))
    hits: dict[str, float] = {}
    if seen.hidden:
        hits["tags.invisible_text"] = 0.5
    for rule in _RULES:
        if ((not gated or not rule.anchors.isdisjoint(present[rule.view]))
                and rule.weight > hits.get(rule.name, 0.0)
                and rule.pattern.search(views[rule.view])):
            hits[rule.name] = rule.weight
    if depth < _MAX_DEPTH:
        for hidden in _decoded(seen.kept):
            inner = _matches(hidden, depth + 1, gated)
            if not inner:
                hits["encoded.text"] = max(hits.get("encoded.text", 0.0), 0.25)
                continue
            for name, weight in inner.items():
                key = name if name.startswith("encoded:") else f"encoded:{name}"
                # hiding an instruction is itself a signal: the hidden rule counts for more
                hits[key] = max(hits.get(key, 0.0), min(1.0, weight + 0.2))
    return hits


def screen_injection(text: str) -> InjectionVerdict:
    """How much ``text`` looks like prompt injection, a jailbreak, a leak attempt, coercion of
    the shop's tools, an attempt at other customers' data or markup meant for a browser."""
    hits = _matches(text, 0)
    keep = 1.0
    for weight in hits.values():
        keep *= 1.0 - weight
    score = round(1.0 - keep, 4)
    return InjectionVerdict(score >= THRESHOLD, score, tuple(hits))
