"""Remembering what customers say they like, telling them what is kept, forgetting on request.

A stated preference is stored with the message it came from (``conversation-id#seq``); a new
statement of a single-valued kind (a budget, a language) replaces the old one, and "I don't
like X any more" flips the stored one. ``forget`` deletes what was stated and hides what was
seen in orders (an ``ignore`` row), so nothing of that kind is used again until the customer
says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kefu.profile.builder import Fact, Profile, build_profile
from kefu.profile.preferences import Preference, extract_preferences
from kefu.storage.db import affected, storage_errors
from kefu.storage.models import CustomerPreference, utcnow

SINGLE = frozenset({"price_max", "price_min", "language"})
KIND_WORDS = {
    "size": ("size", "sizes", "尺码", "尺寸", "码数"),
    "colour": ("colour", "colours", "color", "colors", "颜色"),
    "brand": ("brand", "brands", "品牌"),
    "price_max": ("budget", "price", "prices", "预算", "价格", "价位"),
    "material": ("material", "materials", "材质", "面料"),
    "payment": ("payment method", "payment methods", "payment", "支付方式", "付款方式"),
}
ASK = re.compile(
    r"what (?:do|did) you (?:know|remember|keep|store|have) (?:about|on|of) me|"
    r"what (?:data|information|info|details|preferences) (?:do|did) you (?:have|keep|store)|"
    r"(?:show|tell) me (?:my|what you know about my) (?:profile|preferences)|"
    r"你们?(?:都)?(?:知道|记得|记住|保存|记录|存)了?(?:我的?)?(?:什么|哪些)|我的(?:偏好|喜好|资料)(?:是什么|有哪些)?[？?]?$",
    re.IGNORECASE)
FORGET = re.compile(
    r"(?:forget|delete|erase|remove|clear|stop using) (?:all )?(?:of )?(?:my|everything about my|"
    r"what you know about my) (?P<en>preferences?|sizes?|colou?rs?|brands?|budget|"
    r"materials?|payment(?: methods?)?)|"
    r"(?:忘掉|忘记|删除|删掉|清除|不要再用)我的(?P<zh>偏好|喜好|尺码|尺寸|颜色|品牌|预算|材质|支付方式|付款方式)",
    re.IGNORECASE)


def wants(text: str) -> Literal["ask", "forget"] | None:
    """Whether the message asks what kefu keeps about the customer, or to forget it."""
    if FORGET.search(text):
        return "forget"
    if ASK.search(text):
        return "ask"
    return None


def forget_kind(text: str) -> str | None:
    """The kind the customer wants forgotten; None for all of it."""
    found = FORGET.search(text)
    word = (found.group("en") or found.group("zh") or "").lower() if found else ""
    for kind, words in KIND_WORDS.items():
        if word in words or word.rstrip("s") in words:
            return kind
    return None


class Profiles:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def get(self, customer_id: str) -> Profile | None:
        with storage_errors(), self._factory() as session:
            return build_profile(session, customer_id)

    def observe(self, session: Session, customer_id: str, text: str, language: str | None,
                evidence: str) -> int:
        """Remembers the preferences a customer's message states (kefu.profile.preferences),
        in the caller's transaction; returns how many."""
        said = extract_preferences(text, language)
        return self.remember(session, customer_id, said, evidence) if said else 0

    def remember(self, session: Session, customer_id: str, said: Sequence[Preference],
                 evidence: str, source: str = "message") -> int:
        """Stores what the customer said, in the caller's transaction."""
        now = utcnow()
        for pref in said:
            value = pref.value[:120]
            if pref.kind in SINGLE:
                session.execute(delete(CustomerPreference).where(
                    CustomerPreference.customer_id == customer_id,
                    CustomerPreference.kind == pref.kind))
            row = session.scalar(select(CustomerPreference).where(
                CustomerPreference.customer_id == customer_id,
                CustomerPreference.kind == pref.kind, CustomerPreference.value == value))
            if row is not None:
                row.polarity, row.source, row.evidence, row.updated_at = (
                    pref.polarity, source, evidence[:80], now)
                continue
            try:
                with session.begin_nested():  # another turn may store the same one now
                    session.add(CustomerPreference(
                        customer_id=customer_id, kind=pref.kind, value=value,
                        polarity=pref.polarity, source=source, evidence=evidence[:80],
                        created_at=now, updated_at=now))
            except IntegrityError:
                continue
        return len(said)

    def forget(self, customer_id: str, kind: str | None = None) -> int:
        """Deletes the stated preferences (of ``kind``, or all) and hides the ones seen in
        orders; returns how many were forgotten."""
        with storage_errors(), self._factory.begin() as session:
            profile = build_profile(session, customer_id)
            if profile is None:
                return 0
            shown = [f for f in profile.preferences if kind is None or f.kind == kind]
            query = delete(CustomerPreference).where(
                CustomerPreference.customer_id == customer_id,
                CustomerPreference.polarity != "ignore")  # what was hidden stays hidden
            if kind is not None:
                query = query.where(CustomerPreference.kind == kind)
            affected(session.execute(query))
            now = utcnow()
            for fact in shown:
                if fact.source == "order":
                    session.add(CustomerPreference(
                        customer_id=customer_id, kind=fact.kind, value=fact.value,
                        polarity="ignore", source="message", evidence="forget",
                        created_at=now, updated_at=now))
            return len(shown)


def describe(profile: Profile, language: str) -> str:
    """What kefu keeps about the customer, in their language, with where each item came from."""
    zh = language == "zh"
    lines = []
    for fact in profile.preferences:
        where = (f"订单 {fact.evidence}" if fact.source == "order" else "您在对话中说的") if zh \
            else (f"order {fact.evidence}" if fact.source == "order" else "what you told us")
        lines.append(f"- {_label(fact, zh)}（{where}）" if zh
                     else f"- {_label(fact, zh)} ({where})")
    tier = _TIER_ZH.get(profile.tier, profile.tier)
    head = (f"我们为您保存了：会员等级 {tier}，{profile.orders} 个订单。" if zh
            else f"Here is what we keep: your {profile.tier} membership and "
            f"{profile.orders} orders.")
    if not lines:
        tail = "我们没有记录您的偏好。" if zh else "We have no preferences on record for you."
        return f"{head}\n{tail}"
    tail = ("如需更正，直接告诉我；说“删除我的偏好”即可全部删除。" if zh else
            "Tell me if anything is wrong, or say \"forget my preferences\" to have them erased.")
    intro = "您的偏好：" if zh else "Your preferences:"
    return "\n".join([head, intro, *lines, tail])


_TIER_ZH = {"member": "普通会员", "silver": "银卡会员", "gold": "金卡会员"}
_KIND_EN = {"size": "size", "colour": "colour", "brand": "brand", "price_max": "budget up to",
            "price_min": "budget from", "material": "material", "style": "style",
            "language": "language", "payment": "usual payment method"}
_KIND_ZH = {"size": "尺码", "colour": "颜色", "brand": "品牌", "price_max": "预算上限",
            "price_min": "预算下限", "material": "材质", "style": "风格", "language": "语言",
            "payment": "常用支付方式"}


def _label(fact: Fact, zh: bool) -> str:
    value = fact.label or fact.value
    if zh and value == "gift card":
        value = "礼品卡"
    if fact.kind in ("price_max", "price_min"):
        cents, _, currency = value.partition(" ")
        if cents.isdigit():
            value = f"{int(cents) / 100:g} {currency}".strip()
    if zh:
        verb = "不喜欢" if fact.polarity == "dislike" else ""
        return f"{_KIND_ZH.get(fact.kind, fact.kind)}：{verb}{value}"
    verb = "not " if fact.polarity == "dislike" else ""
    return f"{_KIND_EN.get(fact.kind, fact.kind)}: {verb}{value}"
