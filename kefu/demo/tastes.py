"""Demo shoppers' tastes: the habits that make a customer's orders look like one person's.

Drawn uniformly from the catalogue, the demo's orders carried no signal: what a customer
bought said nothing about what they bought next, so no recommender could beat the
best-sellers on the demo shop. Real shoppers keep to a department or two, wear one size, like
a colour and buy things that go together. A :class:`Taste` holds those habits for one
customer and :func:`pick_lines` fills an order with them; the recommender evaluation
(``kefu eval recommend``) then has something to find.

Everything is drawn from the ``random.Random`` the caller passes, so one demo seed always gives
the same tastes and the same items.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kefu.demo.catalog import PRODUCT_SPECS, SIZES

__all__ = [
    "CATEGORIES",
    "COMPLEMENTS",
    "Shopper",
    "Taste",
    "choose_variant",
    "fitting_variants",
    "make_taste",
    "pick_lines",
    "size_scale",
]

Row = dict[str, Any]
Line = tuple[Row, Row]  # (product row, variant row)

CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(spec.category for spec in PRODUCT_SPECS))

FAVOURITE_SHARE = 0.7  # of an order's items drawn from the customer's favourite categories
COMPLEMENT_CHANCE = 0.4  # that an item's complement joins the order when there is room
COLOUR_LOYALTY = 0.8  # that a product offered in the favourite colour is bought in it
REBUY_WEIGHT = 0.25  # a product the customer has already ordered is drawn this much as often

# Favourite colours, the plain ones most often (relative weights); products not offered in a
# customer's colour are bought in any.
COLOUR_WEIGHTS: dict[str, int] = {
    "black": 30,
    "white": 18,
    "grey": 12,
    "navy": 12,
    "blue": 12,
    "green": 8,
    "red": 8,
}

# The size scales a customer has one size on. Letter sizes are the apparel ones (a bicycle
# helmet's S/M/L and the leggings' XS..XL are on the same scale); socks are sized from shoes.
SHOE_SIZES = tuple(str(size) for size in range(38, 46))
WAIST_SIZES = ("28", "30", "32", "34", "36")
SOCK_SIZES = ("S/M", "L/XL")
SCALES: dict[str, tuple[str, ...]] = {
    "letter": SIZES,
    "shoe": SHOE_SIZES,
    "waist": WAIST_SIZES,
    "socks": SOCK_SIZES,
}
LETTER_WEIGHTS = (6, 18, 28, 26, 15, 7)  # XS..XXL

# Products bought together (names as in kefu.demo.catalog); each goes both ways.
COMPLEMENTS: tuple[tuple[str, str], ...] = (
    ("Mechanical Keyboard", "Wireless Mouse"),
    ("Standing Desk", "Monitor Arm"),
    ("Standing Desk", "Ergonomic Office Chair"),
    ("Laptop Backpack", "USB-C Hub"),
    ("Notebook", "Fountain Pen"),
    ("Smart Watch", "Wireless Charging Pad"),
    ("Action Camera", "Portable Power Bank"),
    ("Smart Plug", "LED Desk Lamp"),
    ("Bedding Set", "Memory Foam Pillow"),
    ("Scented Candle", "Throw Blanket"),
    ("Bath Towel Set", "Shampoo"),
    ("Hair Dryer", "Shampoo"),
    ("Facial Cleanser", "Moisturizing Cream"),
    ("Moisturizing Cream", "Sunscreen"),
    ("Electric Kettle", "Tea Set"),
    ("Drip Coffee Maker", "Coffee Mug"),
    ("Chef's Knife", "Non-Stick Frying Pan"),
    ("Rice Cooker", "Lunch Box"),
    ("Cotton T-Shirt", "Denim Jeans"),
    ("Running Shoes", "Wool Socks"),
    ("Down Jacket", "Wool Socks"),
    ("Yoga Mat", "Yoga Leggings"),
    ("Adjustable Dumbbells", "Jump Rope"),
    ("Tennis Racket", "Water Bottle"),
    ("Camping Tent", "Sleeping Bag"),
    ("Camping Stove", "Insulated Cooler"),
    ("Hiking Backpack", "Trekking Poles"),
    ("Waterproof Rain Jacket", "Hiking Backpack"),
)


def _partners() -> dict[str, tuple[str, ...]]:
    partners: dict[str, list[str]] = {}
    for first, second in COMPLEMENTS:
        partners.setdefault(first, []).append(second)
        partners.setdefault(second, []).append(first)
    return {name: tuple(names) for name, names in partners.items()}


PARTNERS = _partners()


@dataclass(frozen=True)
class Taste:
    """One customer's habits: the departments they shop in, their colour and their sizes."""

    categories: tuple[str, ...]  # one or two favourite categories
    colour: str
    sizes: Mapping[str, str]  # size scale (a key of SCALES) → the customer's size on it


@dataclass
class Shopper:
    """A customer as the order generator sees them: their taste, a random stream of their own
    (so that their items draw nothing from the shop's main stream) and the products already
    in their other orders (bought again now and then: one robot vacuum is usually enough)."""

    taste: Taste
    rng: random.Random
    owned: set[str] = field(default_factory=set)

    @classmethod
    def named(cls, key: str) -> Shopper:
        """The shopper whose stream is seeded with ``key``; the same key, the same shopper."""
        rng = random.Random(f"kefu-demo-taste-{key}")
        return cls(make_taste(rng), rng)

    def lines(self, catalog: Sequence[Line], count: int, strays: Sequence[Line] = ()) -> list[Line]:
        """An order's lines (:func:`pick_lines`), remembered as owned."""
        lines = pick_lines(self.taste, catalog, count, self.rng, strays, self.owned)
        self.owned.update(str(product["id"]) for product, _ in lines)
        return lines


def make_taste(rng: random.Random) -> Taste:
    """A taste drawn from ``rng``. The sizes go together (a customer in L wears a bigger waist
    and shoe than one in S), as they would on one body."""
    categories = tuple(rng.sample(CATEGORIES, 1 if rng.random() < 0.4 else 2))
    colour = rng.choices(tuple(COLOUR_WEIGHTS), weights=tuple(COLOUR_WEIGHTS.values()))[0]
    letter = rng.choices(range(len(SIZES)), weights=LETTER_WEIGHTS)[0]
    waist = _clamp(letter + rng.randint(-1, 0), len(WAIST_SIZES))
    shoe = _clamp(round(letter * 1.4) + rng.randint(-1, 1), len(SHOE_SIZES))
    sizes = {
        "letter": SIZES[letter],
        "shoe": SHOE_SIZES[shoe],
        "waist": WAIST_SIZES[waist],
        "socks": SOCK_SIZES[0 if int(SHOE_SIZES[shoe]) <= 41 else 1],
    }
    return Taste(categories, colour, sizes)


def _clamp(index: int, length: int) -> int:
    return max(0, min(length - 1, index))


def size_scale(axis: str, values: Sequence[str]) -> str | None:
    """The size scale of an option axis with these values, None when it is not one a customer
    has a size on (a speaker's "mini", a cream's "50ml", a basketball's "size 7")."""
    if axis == "waist":
        return "waist"
    if axis != "size":
        return None
    return next((name for name, scale in SCALES.items() if set(values) <= set(scale)), None)


def _nearest(wanted: str, offered: Sequence[str], scale: Sequence[str]) -> str:
    """The offered size closest to ``wanted`` on the scale, the larger on a tie (an XXL
    customer takes the XL leggings, an XS one the S helmet)."""
    target = scale.index(wanted)
    return min(offered, key=lambda value: (abs(scale.index(value) - target), -scale.index(value)))


def fitting_variants(taste: Taste, variants: Sequence[Row]) -> list[Row]:
    """The product's available variants in the customer's size on every sized axis (the
    nearest size the product is made in); empty when none is in stock in their size."""
    pool = [v for v in variants if v.get("available", True)]
    axes: dict[str, list[str]] = {}
    for variant in variants:
        for axis, value in variant["options"].items():
            if value not in axes.setdefault(axis, []):
                axes[axis].append(value)
    for axis, values in axes.items():
        scale = size_scale(axis, values)
        if scale is not None:
            wanted = _nearest(taste.sizes[scale], values, SCALES[scale])
            pool = [v for v in pool if v["options"].get(axis) == wanted]
    return pool


def choose_variant(taste: Taste, variants: Sequence[Row], rng: random.Random) -> Row | None:
    """The variant the customer buys: one of :func:`fitting_variants`, in their colour mostly
    when the product comes in it; None when nothing fits."""
    pool = fitting_variants(taste, variants)
    if not pool:
        return None
    in_colour = [v for v in pool if v["options"].get("color") == taste.colour]
    if in_colour and rng.random() < COLOUR_LOYALTY:
        pool = in_colour
    return rng.choice(pool)


def _by_product(catalog: Sequence[Line]) -> dict[str, tuple[Row, list[Row]]]:
    products: dict[str, tuple[Row, list[Row]]] = {}
    for product, variant in catalog:
        products.setdefault(str(product["id"]), (product, []))[1].append(variant)
    return products


def pick_lines(
    taste: Taste,
    catalog: Sequence[Line],
    count: int,
    rng: random.Random,
    strays: Sequence[Line] = (),
    owned: Collection[str] = (),
) -> list[Line]:
    """``count`` order lines, no product twice: most from the favourite categories, the rest
    from anywhere — the ``strays`` first (products come across by chance, as (product,
    variant) pairs of the catalogue), then any product. After an item with a complement, the
    complement joins the order now and then while there is room. Products with nothing in
    stock in the customer's size are passed over, the ``owned`` ones (product ids) drawn less
    often; each line's variant is :func:`choose_variant`'s."""
    products = _by_product(catalog)
    if count > len(products):
        raise ValueError(f"{count} lines from a catalogue of {len(products)} products")
    ids_by_name = {str(product["name"]): pid for pid, (product, _) in products.items()}
    fits = {pid: bool(fitting_variants(taste, variants)) for pid, (_, variants) in products.items()}
    favourites = [pid for pid, (p, _) in products.items() if p["category"] in taste.categories]
    everything = list(products)
    queue = [str(product["id"]) for product, _ in strays]
    lines: list[Line] = []
    chosen: set[str] = set()

    def open_to(pool: Sequence[str]) -> list[str]:
        return [pid for pid in pool if fits[pid] and pid not in chosen]

    def draw(pool: Sequence[str]) -> str | None:
        left = open_to(pool)
        if not left:
            return None
        weights = [REBUY_WEIGHT if pid in owned else 1.0 for pid in left]
        return rng.choices(left, weights=weights)[0]

    def add(pid: str) -> None:
        product, variants = products[pid]
        variant = choose_variant(taste, variants, rng)
        if variant is None:  # nothing else was left: any variant, in stock if one is
            variant = rng.choice([v for v in variants if v.get("available", True)] or variants)
        lines.append((product, variant))
        chosen.add(pid)

    while len(lines) < count:
        pid = None
        if rng.random() < FAVOURITE_SHARE:
            pid = draw(favourites)
        else:
            while queue and pid is None:
                stray = queue.pop(0)
                pid = stray if fits[stray] and stray not in chosen else None
        pid = pid or draw(everything) or rng.choice([p for p in everything if p not in chosen])
        add(pid)
        name = str(products[pid][0]["name"])
        partners = open_to([ids_by_name[n] for n in PARTNERS.get(name, ()) if n in ids_by_name])
        if partners and len(lines) < count and rng.random() < COMPLEMENT_CHANCE:
            add(rng.choice(partners))
    return lines
