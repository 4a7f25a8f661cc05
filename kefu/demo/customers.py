"""Demo customers: half Chinese-speaking with addresses in China, half English-speaking with US
addresses, each with one or two addresses and one to three payment methods."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from kefu.demo.people import (
    EN_CARD_BRANDS,
    EN_FIRST_NAMES,
    EN_LAST_NAMES,
    US_CITIES,
    US_STREET_NAMES,
    US_STREET_SUFFIXES,
    ZH_CARD_BRANDS,
    ZH_CITIES,
    ZH_GIVEN_NAMES,
    ZH_STREETS,
    ZH_SURNAMES,
    City,
)
from kefu.types import person_name

Row = dict[str, Any]

ZH_MOBILE_PREFIXES = ("138", "139", "136", "135", "150", "152", "158", "186", "188", "177")
PAYMENT_KIND_POOL = ("credit_card", "credit_card", "paypal", "gift_card")
PAYMENT_KIND_ORDER = {"credit_card": 0, "paypal": 1, "gift_card": 2}
US_AREA_CODES = {city.name: city.area_code for city in US_CITIES}


@dataclass
class CustomerDraft:
    """One generated customer with the rows that belong to it."""

    row: Row
    addresses: list[Row] = field(default_factory=list)
    payment_methods: list[Row] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.row["id"])

    @property
    def language(self) -> str:
        return str(self.row["language"])

    @property
    def currency(self) -> str:
        return "CNY" if self.language == "zh" else "USD"


@dataclass
class _Used:
    """Values that must stay unique across all customers (membership tests only)."""

    ids: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    name_zips: set[tuple[str, str]] = field(default_factory=set)
    method_ids: set[str] = field(default_factory=set)


def make_customers(
    rng: random.Random, per_language: int, joined_before: datetime
) -> list[CustomerDraft]:
    """``per_language`` Chinese and as many English-speaking customers, interleaved."""
    used = _Used()
    drafts: list[CustomerDraft] = []
    for _ in range(per_language):
        for language in ("zh", "en"):
            draft = _customer(rng, language, used, joined_before)
            _add_addresses(rng, draft, used)
            _add_payment_methods(rng, draft, used)
            drafts.append(draft)
    return drafts


def _unique(rng: random.Random, used: set[str], make: Callable[[random.Random], str]) -> str:
    while True:
        value = make(rng)
        if value not in used:
            used.add(value)
            return value


def _customer(
    rng: random.Random, language: str, used: _Used, joined_before: datetime
) -> CustomerDraft:
    phone: str | None = None  # English speakers get one with their first address
    if language == "zh":
        last, last_ascii = rng.choice(ZH_SURNAMES)
        first, first_ascii = rng.choice(ZH_GIVEN_NAMES)
        stem, phone = f"{last_ascii}_{first_ascii}", _zh_phone(rng)
    else:
        first, last = rng.choice(EN_FIRST_NAMES), rng.choice(EN_LAST_NAMES)
        first_ascii, last_ascii = first.lower(), last.lower()
        stem = f"{first_ascii}_{last_ascii}"
    customer_id = _unique(rng, used.ids, lambda r: f"{stem}_{r.randint(1000, 9999)}")
    suffix = customer_id.rsplit("_", 1)[1]
    email = _unique(rng, used.emails, lambda r: _email(r, first_ascii, last_ascii, suffix))
    row: Row = {
        "id": customer_id,
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": phone,
        "language": language,
        "created_at": joined_before - timedelta(minutes=rng.randint(30 * 1440, 900 * 1440)),
    }
    return CustomerDraft(row)


def _email(rng: random.Random, first: str, last: str, suffix: str) -> str:
    forms = (f"{first}.{last}{suffix}", f"{last}{first}{suffix}", f"{first[0]}{last}.{suffix}")
    return f"{rng.choice(forms)}@example.com"


def _zh_phone(rng: random.Random) -> str:
    return rng.choice(ZH_MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"


def _full_name(row: Row) -> str:
    return person_name(row["first_name"], row["last_name"], row["language"])


def _add_addresses(rng: random.Random, draft: CustomerDraft, used: _Used) -> None:
    count = 2 if rng.random() < 0.25 else 1
    name = _full_name(draft.row)
    for index in range(count):
        while True:
            address = _zh_address(rng) if draft.language == "zh" else _us_address(rng)
            if (name, address["zip"]) not in used.name_zips:
                used.name_zips.add((name, address["zip"]))
                break
        address["customer_id"] = draft.id
        address["is_default"] = index == 0
        draft.addresses.append(address)
    if draft.language == "en":
        area = US_AREA_CODES[draft.addresses[0]["city"]]
        draft.row["phone"] = f"+1-{area}-555-{rng.randint(100, 199):04d}"


def _zh_address(rng: random.Random) -> Row:
    city: City = rng.choice(ZH_CITIES)
    street = f"{rng.choice(city.districts)}{rng.choice(ZH_STREETS)}{rng.randint(1, 999)}号"
    building, room = rng.randint(1, 30), rng.randint(1, 32) * 100 + rng.randint(1, 6)
    unit = f"{building}栋{rng.randint(1, 4)}单元{room}室"
    address2 = rng.choice(("", unit, f"{building}号楼{room}室"))
    return {
        "address1": street,
        "address2": address2,
        "city": city.name,
        "state": city.state,
        "country": "China",
        "zip": f"{city.zip_prefix}{rng.randint(0, 999):03d}",
    }


def _us_address(rng: random.Random) -> Row:
    city: City = rng.choice(US_CITIES)
    street = f"{rng.choice(US_STREET_NAMES)} {rng.choice(US_STREET_SUFFIXES)}"
    unit = rng.randint(1, 40)
    address2 = rng.choice(("", "", f"Apt {unit}{rng.choice('ABCD')}", f"Suite {unit * 10}"))
    return {
        "address1": f"{rng.randint(10, 9999)} {street}",
        "address2": address2,
        "city": city.name,
        "state": city.state,
        "country": "USA",
        "zip": f"{city.zip_prefix}{rng.randint(0, 99):02d}",
    }


def _add_payment_methods(rng: random.Random, draft: CustomerDraft, used: _Used) -> None:
    count = rng.choices((1, 2, 3), weights=(35, 45, 20))[0]
    kinds = sorted(rng.sample(PAYMENT_KIND_POOL, count), key=PAYMENT_KIND_ORDER.__getitem__)
    for position, kind in enumerate(kinds):
        method_id = _unique(rng, used.method_ids, partial(_method_id, kind=kind))
        draft.payment_methods.append(
            {
                "id": method_id,
                "customer_id": draft.id,
                "kind": kind,
                "brand": _card_brand(rng, draft.language) if kind == "credit_card" else None,
                "last_four": f"{rng.randint(0, 9999):04d}" if kind == "credit_card" else None,
                "balance_cents": rng.randint(0, 40_000) if kind == "gift_card" else None,
                "position": position,
            }
        )


def _method_id(rng: random.Random, kind: str) -> str:
    return f"{kind}_{rng.randint(1_000_000, 9_999_999)}"


def _card_brand(rng: random.Random, language: str) -> str:
    return rng.choice(ZH_CARD_BRANDS if language == "zh" else EN_CARD_BRANDS)
