"""Slot fillers for the order-action flows: what a customer's words say about a cancel reason,
order lines, a new variant, a payment method, an address, or yes/no. Each returns None when
the message does not say it, so the flow asks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kefu.respond.option_terms import ZH_OPTION_TERMS
from kefu.respond.templates import money
from kefu.storage.models import Order, OrderItem, PaymentMethod, Variant
from kefu.tools.retail import ADDRESS_FIELDS

_REASONS = {
    "no longer needed": re.compile(
        r"no longer need|don'?t need|do not need|not need (?:it|them) anymore|"
        r"changed my mind|won'?t need|not needed|no longer want|don'?t want|"
        r"不需要|不要了|用不上|不想要|不用了|不再需要", re.I),
    "ordered by mistake": re.compile(
        r"by mistake|mistake|accident|wrong (?:item|order|one)|ordered the wrong|"
        r"下错|买错|拍错|误购|错了|点错", re.I),
}
# An explicit yes is the whole message: a short affirmation, nothing after it that could be a
# doubt, a question or a correction ("Right, but use PayPal", "嗯，等一下", "是不是还能改").
_YES = re.compile(r"^\s*(?:yes|yeah|yep|yup|sure|confirm(?:ed)?|go ahead|please do|do it|"
                  r"correct|that'?s (?:right|correct)|absolutely|proceed)(?:[\s,.!]+(?:yes|please|"
                  r"go ahead|do it|proceed|confirm|thanks?(?: you)?|that'?s (?:right|fine)))*"
                  r"[\s.!]*$|^\s*(?:是的?|好的?|确认|可以|对的?|行|没问题|办理吧?|确定|嗯嗯?)"
                  r"(?:[，,。！!\s]*(?:是的?|好的?|确认|可以|办理吧?|确定|谢谢))*[。！!\s]*$", re.I)
# "Not that order": the whole message rejects what kefu took (a bare no, "wrong one", 不是这个).
_REJECT = re.compile(r"^\s*(?=.*[a-z\u3400-\u9fff])(?:(?:no|nope|nah)\b[\s,.!]*)?"
                     r"(?:wrong(?: one| order)?|"
                     r"not (?:that|this)(?: one| order)?|"
                     r"that'?s not (?:it|the one|the right one|my order)|"
                     r"(?:it'?s )?(?:a |an )?(?:different|another|other) (?:one|order)|"
                     r"不是(?:这个|这个订单|这单)?|不对|错了)?[\s.!。！,，]*$", re.I)
# A "no" that goes on to say what instead ("No, the gift card"), not one that stops everything.
_CORRECTS = re.compile(r"^\s*(?:no|nope|not quite|不是|不对)[\s,，.。!！:：-]+(?=\S)"
                       r"(?!.*\b(?:don'?t|do not|never|stop|cancel|forget)\b)"
                       r"(?!.*(?:别|不要|不用|算了|取消))", re.I)
_ANOTHER_ORDER = re.compile(r"\b(?:different|another|other|wrong) order\b|"
                            r"\bnot (?:this|that|the right) order\b|"
                            r"不是这个订单|不是这单|其他订单|另一个订单|别的订单", re.I)
_NO = re.compile(r"^\s*(?:no|nope|nah|don'?t|do not|stop|never ?mind|cancel that|not now)\b|"
                 r"^\s*(?:不|否|别|算了|先不|不用)", re.I)
# Leaving a flow while it asks for details (a plain "no" may answer "any other item?").
_ABANDON = re.compile(r"never ?mind|forget (?:it|about it)|cancel (?:that|this|the) request|"
                      r"don'?t (?:want to|need to) (?:do|change) (?:it|that|anything)|"
                      r"算了|不用了|不办了|不改了|不要了吧", re.I)
_DONE = re.compile(r"that'?s (?:all|it|everything)|nothing else|no (?:more|other)|only (?:that|"
                   r"this|those|these)|just (?:that|this|those|these)|^\s*no\b|就这些|没有了|"
                   r"没有其他|只有这|就这个|就这几|没了", re.I)
_ALL = re.compile(r"\b(?:all (?:of )?(?:the |my |these |those )?(?:items|things|of it|of them|"
                  r"products)|everything|every item|the whole order|the entire order)\b|全部|所有|"
                  r"整个订单|都退", re.I)
_SPLIT_NEW = re.compile(r"\b(?:for|to|into|with|instead)\b|换成|改成|换为|改为|换一个|换个",
                        re.I)
_LAST_FOUR = re.compile(r"(?:ending(?: in| with)?|last four(?: digits)?(?: are| is)?|尾号|"
                        r"后四位)\s*(\d{4})|\b(\d{4})\b", re.I)
_HAN = re.compile(r"[\u3400-\u9fff]")
_NOT_THIS = re.compile(r"\b(?:not|never|instead of|rather than)\b[^,.;!?，。；！？]*|"
                       r"(?:不要|不用|别用|而不是)[^,.;!?，。；！？]*", re.I)
_METHOD_ID = re.compile(r"\b(?:credit_card|paypal|gift_card)_\d+\b")


def cancel_reason(text: str, allowed: Sequence[str]) -> str | None:
    for reason, pattern in _REASONS.items():
        if reason in allowed and pattern.search(text):
            return reason
    lowered = text.lower()
    return next((r for r in allowed if r in lowered), None)


def yes_no(text: str, intent: str) -> bool | None:
    """True for an explicit yes (the whole message says only that), False for a no, None for
    anything else — a doubt, a question or a correction is not a yes, whatever the intent."""
    if _NO.search(text):
        return False
    if _YES.search(text):
        return True
    if intent == "deny" and len(text.split()) <= 3:
        return False
    return None


def rejects(text: str) -> bool:
    """The whole message says no to what kefu proposed ("no", "not that one", 不是这个)."""
    return bool(_REJECT.search(text))


def another_order(text: str) -> bool:
    """The message says the order is not the one meant ("No, it's a different order")."""
    return bool(_ANOTHER_ORDER.search(text))


def corrects(text: str) -> bool:
    """A no followed by what the customer wants instead ("No, refund it to my gift card")."""
    return bool(_CORRECTS.search(text))


def abandons(text: str) -> bool:
    """The customer drops the request they were giving details for."""
    return bool(_ABANDON.search(text))


def done_listing(text: str) -> bool:
    return bool(_DONE.search(text))


def says_all(text: str) -> bool:
    return bool(_ALL.search(text))


def line_by_id(order: Order, item_id: str, nth: int = 0) -> OrderItem:
    return [line for line in order.items if line.variant_id == item_id][nth]


def order_lines(text: str, order: Order, exclude: Sequence[str] = (),
                everything: bool = False,
                names_zh: dict[str, str] | None = None) -> list[OrderItem]:
    """The order's lines the message names: by item id, by product name (the options telling
    same-named lines apart), or all of them ("everything", 全部) when ``everything``."""
    left = list(order.items)
    for item_id in exclude:
        match = next((x for x in left if x.variant_id == item_id), None)
        if match is not None:
            left.remove(match)
    if not left:
        return []
    by_id: list[OrderItem] = []
    for line in left:  # an id written twice means two of its identical lines
        if line.variant_id in text and \
                sum(x.variant_id == line.variant_id for x in by_id) < text.count(line.variant_id):
            by_id.append(line)
    if by_id:
        return by_id
    zh = names_zh or {}

    def named_in(part: str) -> list[OrderItem]:
        lowered = f" {_norm(part)} "
        return [line for line in left if _names(line.name, lowered)
                or ((alias := zh.get(line.product_id)) and _norm(alias) in lowered)]

    # the old item comes before "to"/"for"/换成 and the new option after it: the first such
    # word that has an item before it ("I want to change the shirt to M" cuts at the second)
    cuts = [m.start() for m in _SPLIT_NEW.finditer(text)] + [len(text)]
    named: list[OrderItem] = []
    lowered = ""
    for cut in cuts:
        named = named_in(text[:cut])
        if named:
            lowered = f" {_norm(text[:cut])} "
            break
    if not named:
        return left if everything and says_all(text) else []
    chosen: list[OrderItem] = []
    for name in dict.fromkeys(x.name for x in named):
        same = [x for x in named if x.name == name]
        if len(same) == 1:
            chosen.append(same[0])
            continue
        # as many of the same-named lines as the name is written ("the earbuds (4 hours) and
        # the earbuds (6 hours)"), those whose options the message names most; lines with the
        # same name and options are identical, any of them will do
        times = max(1, lowered.count(f" {_norm(name)} "))
        scored = sorted(((sum(_mentions(lowered, v) for v in x.options.values()), k, x)
                         for k, x in enumerate(same)), key=lambda c: (-c[0], c[1]))
        chosen.append(scored[0][2])  # a second one only if the message names its options too
        chosen.extend(x for score, _, x in scored[1:times] if score > 0)
    return chosen


def new_variant(text: str, line: OrderItem, variants: Sequence[Variant],
                whole: bool = False, keep: dict[str, Any] | None = None) -> Variant | None:
    """The available variant of the line's product that the message asks for: the one whose
    option values the message names most (in the part after "for"/"to"/换成 after the item, or
    after the item's name itself: "the shirt in size L"; the whole message with ``whole``),
    ties broken by keeping the other options of ``keep`` (by default the line's). None if none
    or still ambiguous."""
    after = text if whole else _after_item(text, line)
    if after is None:
        return None
    wanted = f" {_norm(after)} "
    candidates = [v for v in variants if v.available]
    scored = [(sum(_mentions(wanted, str(value)) for value in v.options.values()), v)
              for v in candidates]
    best = max((score for score, _ in scored), default=0)
    if best == 0:
        return None
    top = [v for score, v in scored if score == best]
    if len(top) > 1:  # another option than the current one, unless it is all they named
        top = [v for v in top if v.id != line.variant_id] or top
    if len(top) > 1:
        reference = keep if keep is not None else line.options
        kept = [(sum(1 for k, val in v.options.items() if reference.get(k) == val
                     and not _mentions(wanted, str(val))), v) for v in top]
        most = max(score for score, _ in kept)
        top = [v for score, v in kept if score == most]
    return top[0] if len(top) == 1 else None


def names_an_option(text: str, line: OrderItem, variants: Sequence[Variant]) -> bool:
    """The message names an option value of the line's product that the line does not have
    (in stock or not): the customer said what they want, even if kefu cannot give it."""
    after = _after_item(text, line)
    if after is None:
        return False
    wanted = f" {_norm(after)} "
    return any(_mentions(wanted, str(value)) for v in variants
               for key, value in v.options.items() if line.options.get(key) != value)


def _after_item(text: str, line: OrderItem) -> str | None:
    """What the message says after the item: after the "to"/换成 that follows its name, else
    after its name (its own options in brackets skipped); None if it says nothing new."""
    cut = next((m for m in _SPLIT_NEW.finditer(text)
                if line.variant_id in text[:m.start()]
                or _names(line.name, f" {_norm(text[:m.start()])} ")), None)
    if cut is not None:
        return text[cut.end():]
    named = line.variant_id in text or _names(line.name, f" {_norm(text)} ")
    if not named:  # the item not named by its own name (a Chinese name, its options)
        first = next(_SPLIT_NEW.finditer(text), None)
        return text[first.end():] if first is not None else None
    end = _name_end(text, line)
    if end is None:
        return None
    rest = re.sub(r"^\s*[(（][^)）]*[)）]", "", text[end:])  # "(size S, black)": the old one
    return rest if rest.strip(" .,!。，！") else None


def _name_end(text: str, line: OrderItem) -> int | None:
    """Where the line's name (or its id) ends in the text, at its last mention."""
    found = [m.end() for m in re.finditer(re.escape(line.variant_id), text)]
    words = [w for w in line.name.split() if len(w) > 2] or line.name.split()
    if words:
        last = re.escape(words[-1].rstrip("s"))
        found += [m.end() for m in re.finditer(rf"{last}s?\b", text, re.I)]
    return max(found) if found else None


def payment_method(text: str, methods: Sequence[PaymentMethod], order: Order | None,
                   refund: bool = False, negated: bool = False) -> str | None:
    """The customer's payment method the message names, as its id."""
    ids = {m.id for m in methods}
    # "not PayPal, use my Visa": what they do not want goes (``negated``: only that is read)
    text = " ".join(m[0] for m in _NOT_THIS.finditer(text)) if negated else \
        _NOT_THIS.sub(" ", text)
    named = [i for i in _METHOD_ID.findall(text) if i in ids]
    if named:
        return named[0]
    lowered = text.lower()
    original = order.payments[0].payment_method_id if order is not None and order.payments \
        else None
    if original and re.search(r"original|same (?:card|method|payment)|原支付|原路|原来的", lowered):
        return original
    kinds: list[PaymentMethod] = []
    if re.search(r"gift ?card|礼品卡", lowered):
        kinds = [m for m in methods if m.kind == "gift_card"]
    elif "paypal" in lowered:
        kinds = [m for m in methods if m.kind == "paypal"]
    elif re.search(r"credit|card|visa|mastercard|amex|discover|信用卡|银行卡", lowered):
        kinds = [m for m in methods if m.kind == "credit_card"]
        brands = [m for m in kinds if m.brand and m.brand.lower() in lowered]
        kinds = brands or kinds
    if len(kinds) > 1:
        digits = {a or b for a, b in _LAST_FOUR.findall(text)}
        kinds = [m for m in kinds if m.last_four in digits] or kinds
    return kinds[0].id if len(kinds) == 1 else None


def address(text: str) -> dict[str, str] | None:
    """"street, apartment (or -), city, state, country, zip" (the apartment may be left out)."""
    body = re.sub(r"^[^:：]*(?:address|地址)[^:：]*[:：]", "", text, flags=re.I)
    parts = [p.strip(" .。") for p in re.split(r"[,，;；\n]", body) if p.strip(" .。")]
    if len(parts) == 5:
        parts.insert(1, "")
    if len(parts) != 6 or not re.search(r"\d", parts[5]):
        return None
    parts = ["" if p in ("-", "—", "无", "none", "n/a") else p for p in parts]
    return dict(zip(ADDRESS_FIELDS, parts, strict=True))


def describe_line(line: OrderItem, language: str, currency: str) -> str:
    options = describe_options(line.options)
    name = f"{line.name} ({options})" if options else line.name
    return f"{name} [{line.variant_id}] {money(line.price_cents, currency)}"


def describe_options(options: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in options.items())


def describe_method(method: PaymentMethod, language: str, currency: str) -> str:
    zh = language == "zh"
    if method.kind == "gift_card":
        balance = money(method.balance_cents or 0, currency)
        return f"礼品卡 {method.id}（余额 {balance}）" if zh else \
            f"gift card {method.id} (balance {balance})"
    if method.kind == "paypal":
        return f"PayPal {method.id}"
    brand = (method.brand or "").title()
    return f"尾号 {method.last_four} 的 {brand} 信用卡" if zh else \
        f"{brand} credit card ending in {method.last_four}"


def describe_address(address: dict[str, str], masked: bool = False) -> str:
    """The address on one line; ``masked``: the street, apartment and most of the zip code
    shown by their first characters ("1* E** S*****, Austin, TX, USA, 73***"), enough for its
    owner to recognise an address kefu suggests, not enough for someone who only knows their
    email to learn it."""
    parts = []
    for key in ADDRESS_FIELDS:
        value = str(address.get(key) or "")
        if value and masked and key in ("address1", "address2"):
            value = value[:3] + "*" * (len(value) - 3) if _HAN.search(value) else \
                " ".join(w[:1] + "*" * (len(w) - 1) for w in value.split())
        elif value and masked and key == "zip":
            value = value[:2] + "*" * (len(value) - 2)
        if value:
            parts.append(value)
    return ", ".join(parts)


def _norm(text: str) -> str:
    """Lower case, words and numbers only (a decimal point kept: 1.5L), single spaces; an
    apostrophe joins its word ("that's" is not "that s", which would name size S)."""
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", re.sub(r"['’]", "", text.lower()))
    return " ".join(re.sub(r"[^\w\u3400-\u9fff.-]+", " ", text).split())


def _mentions(text: str, value: str) -> bool:
    """The option value in the text, in English or by its Chinese name (蓝色 for blue; a
    Chinese name needs no spaces around it)."""
    v = _norm(value)
    if v and f" {v} " in text:
        return True
    if v.isascii() and v and _HAN.search(text) and re.search(  # 换成l码, m号的, 要xl
            rf"(?:(?<=[\u3400-\u9fff])|(?<= )){re.escape(v)}(?=[\u3400-\u9fff ])", text):
        return True
    zh = ZH_OPTION_TERMS.get(value.lower())
    if zh is None:
        return False
    z = _norm(zh)
    return bool(z) and (z in text if not z.isascii() else f" {z} " in text)


def _names(name: str, text: str) -> bool:
    """The product's name in the text, whole or most of its words (laser gaming mouse)."""
    n = _norm(name)
    if f" {n} " in text:
        return True
    words = [w for w in n.split() if len(w) > 2]
    if not words:
        return False
    hits = sum(f" {w} " in text or f" {w}s " in text for w in words)
    return hits == len(words) or (len(words) >= 2 and hits >= len(words) - 1 and hits >= 2)
