"""Demo shoppers' tastes (kefu.demo.tastes): the demo's orders keep to each customer's favourite
categories, sizes and complements, stay valid and deterministic, and the shop's main random
stream (order numbers, statuses, dates, addresses, payments, parcels) does not depend on them."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import combinations
from typing import Any

import pytest

from kefu.demo import DemoShop, generate_demo_shop
from kefu.demo.catalog import SIZES
from kefu.demo.tastes import (
    CATEGORIES,
    COMPLEMENTS,
    Shopper,
    Taste,
    choose_variant,
    make_taste,
    pick_lines,
    size_scale,
)

Row = dict[str, Any]


@pytest.fixture(scope="module")
def shop() -> DemoShop:
    return generate_demo_shop(7)


def _catalog(shop: DemoShop) -> list[tuple[Row, Row]]:
    products = {p["id"]: p for p in shop.products}
    return [(products[v["product_id"]], v) for v in shop.variants]


def _items_by_customer(shop: DemoShop) -> dict[str, list[Row]]:
    customer_of = {o["id"]: o["customer_id"] for o in shop.orders}
    items: dict[str, list[Row]] = defaultdict(list)
    for item in shop.order_items:
        items[customer_of[item["order_id"]]].append(item)
    return items


def _items_by_order(shop: DemoShop) -> dict[str, list[Row]]:
    items: dict[str, list[Row]] = defaultdict(list)
    for item in shop.order_items:
        items[item["order_id"]].append(item)
    return items


def test_the_same_seed_gives_the_same_items_and_another_seed_others(shop: DemoShop) -> None:
    again = generate_demo_shop(7)
    assert again.order_items == shop.order_items
    assert again.payments == shop.payments
    other = generate_demo_shop(8)
    assert [i["product_id"] for i in other.order_items] != [
        i["product_id"] for i in shop.order_items
    ]


def test_tastes_leave_the_main_stream_as_it_was(
    shop: DemoShop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every order's items the shop's uniform draw (as before tastes), everything but the
    items and the amounts is the same: the tastes draw nothing from the shop's stream."""

    def uniform(self: Shopper, catalog: Any, count: int, strays: Sequence[Any] = ()) -> Any:
        return list(strays)

    monkeypatch.setattr(Shopper, "lines", uniform)
    plain = generate_demo_shop(7)
    assert plain.orders == shop.orders
    assert plain.customers == shop.customers
    assert plain.variants == shop.variants

    def shape(rows: list[Row], *drop: str) -> list[Row]:
        return [{k: v for k, v in row.items() if k not in drop} for row in rows]

    assert shape(plain.payments, "amount_cents") == shape(shop.payments, "amount_cents")
    assert shape(plain.fulfillments, "item_ids") == shape(shop.fulfillments, "item_ids")
    assert len(plain.order_items) == len(shop.order_items)
    assert [i["product_id"] for i in plain.order_items] != [
        i["product_id"] for i in shop.order_items
    ]


def test_most_of_a_customers_items_are_in_their_favourite_categories(shop: DemoShop) -> None:
    category = {p["id"]: p["category"] for p in shop.products}
    per_category = Counter(category.values())
    favourite = uniform = total = 0.0
    for customer, items in _items_by_customer(shop).items():
        taste = Shopper.named(customer).taste
        favourite += sum(category[i["product_id"]] in taste.categories for i in items)
        share = sum(per_category[c] for c in taste.categories) / len(shop.products)
        uniform += share * len(items)
        total += len(items)
    assert favourite / total > 0.65
    assert favourite / total > 2.5 * uniform / total  # a uniform draw: about 0.2


def test_a_customer_wears_one_size(shop: DemoShop) -> None:
    """Clothes made in every letter size, shoes and jeans: one size per customer."""
    worn: dict[tuple[str, str], set[str]] = defaultdict(set)
    letter_products = set()
    for product_id, variants in _variants_by_product(shop).items():
        values = {v["options"].get("size") for v in variants}
        if values == set(SIZES):
            letter_products.add(product_id)
    for customer, items in _items_by_customer(shop).items():
        for item in items:
            options = item["options"]
            if item["product_id"] in letter_products:
                worn[customer, "letter"].add(options["size"])
            elif item["name"] == "Running Shoes":
                worn[customer, "shoe"].add(options["size"])
            elif "waist" in options:
                worn[customer, "waist"].add(options["waist"])
    several = [sizes for (_, scale), sizes in worn.items() if scale == "letter" and sizes]
    assert sum(len(s) > 1 for s in several) == 0
    assert sum(len(s) == 1 for s in several) > 30  # many customers bought clothes at all
    assert all(len(sizes) == 1 for sizes in worn.values())


def _variants_by_product(shop: DemoShop) -> dict[str, list[Row]]:
    variants: dict[str, list[Row]] = defaultdict(list)
    for variant in shop.variants:
        variants[variant["product_id"]].append(variant)
    return variants


def test_complements_are_bought_together_far_more_than_by_chance(shop: DemoShop) -> None:
    ids = {p["name"]: p["id"] for p in shop.products}
    orders = [{i["product_id"] for i in items} for items in _items_by_order(shop).values()]
    n = len(orders)
    count = Counter(pid for order in orders for pid in order)
    together = Counter(pair for order in orders for pair in combinations(sorted(order), 2))
    observed = expected = 0.0
    for first, second in COMPLEMENTS:
        a, b = ids[first], ids[second]
        observed += together[tuple(sorted((a, b)))]
        expected += count[a] * count[b] / n
    assert observed > 4 * expected


def test_orders_are_valid(shop: DemoShop) -> None:
    variants = {v["id"]: v for v in shop.variants}
    for order_id, items in _items_by_order(shop).items():
        products = [i["product_id"] for i in items]
        assert len(products) == len(set(products)), order_id
        for item in items:
            variant = variants[item["variant_id"]]
            assert variant["product_id"] == item["product_id"]
            assert variant["available"]
            assert item["options"] == variant["options"]
    total: defaultdict[str, int] = defaultdict(int)
    for item in shop.order_items:
        total[item["order_id"]] += item["price_cents"]
    for payment in shop.payments:
        assert payment["amount_cents"] == total[payment["order_id"]]
    ordered = {i["variant_id"] for i in shop.order_items}
    for fulfilment in shop.fulfillments:
        assert set(fulfilment["item_ids"]) <= ordered


def test_tastes_are_deterministic_and_varied() -> None:
    assert Shopper.named("mia_miller_3651").taste == Shopper.named("mia_miller_3651").taste
    tastes = [make_taste(random.Random(n)) for n in range(300)]
    assert all(1 <= len(t.categories) <= 2 for t in tastes)
    assert all(set(t.categories) <= set(CATEGORIES) for t in tastes)
    assert {c for t in tastes for c in t.categories} == set(CATEGORIES)
    assert len({t.colour for t in tastes}) > 3
    assert len({t.sizes["letter"] for t in tastes}) == len(SIZES)


def test_size_scales() -> None:
    assert size_scale("size", SIZES) == "letter"
    assert size_scale("size", ("S", "M", "L")) == "letter"
    assert size_scale("size", ("38", "45")) == "shoe"
    assert size_scale("waist", ("28", "30")) == "waist"
    assert size_scale("size", ("S/M", "L/XL")) == "socks"
    assert size_scale("size", ("mini", "standard")) is None
    assert size_scale("size", ("50ml", "100ml")) is None
    assert size_scale("color", ("S", "M")) is None


def _variant(product: str, vid: str, available: bool = True, **options: str) -> Row:
    return {"id": vid, "product_id": product, "options": options, "available": available}


def test_the_variant_is_in_the_customers_size_and_colour() -> None:
    taste = Taste(("apparel",), "navy", {"letter": "XXL", "shoe": "42", "waist": "32",
                                         "socks": "L/XL"})
    rng = random.Random(0)
    leggings = [_variant("p", f"v{s}{c}", size=s, color=c)
                for s in ("XS", "S", "M", "L", "XL") for c in ("black", "navy")]
    picks = {choose_variant(taste, leggings, rng)["id"] for _ in range(50)}  # type: ignore[index]
    assert picks <= {"vXLnavy", "vXLblack"} and "vXLnavy" in picks  # the nearest size
    sold_out = [_variant("p", "v1", False, size="XXL"), _variant("p", "v2", size="M")]
    assert choose_variant(taste, sold_out, rng) is None
    speakers = [_variant("s", "a", size="mini"), _variant("s", "b", size="standard")]
    assert choose_variant(taste, speakers, rng) is not None


def test_pick_lines_keeps_to_the_order_size_and_never_repeats_a_product() -> None:
    products = [{"id": f"p{n}", "name": f"P{n}", "category": CATEGORIES[n % 2]}
                for n in range(6)]
    catalog = [(p, _variant(p["id"], f"{p['id']}-{c}", color=c)) for p in products
               for c in ("black", "red")]
    taste = Taste((CATEGORIES[0],), "red", {"letter": "M", "shoe": "40", "waist": "30",
                                           "socks": "S/M"})
    rng = random.Random(1)
    for count in range(1, 7):
        lines = pick_lines(taste, catalog, count, rng, strays=catalog[:2])
        assert len(lines) == count
        assert len({p["id"] for p, _ in lines}) == count
        assert all(v["product_id"] == p["id"] for p, v in lines)
    with pytest.raises(ValueError):
        pick_lines(taste, catalog, 7, rng)
