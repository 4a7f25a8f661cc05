"""A purchase history with planted structure, to check that the recommenders and the evaluation
find structure when there is some (the demo shop's and tau-bench's orders are drawn at random).

Each made-up customer has one or two favourite categories, from which most of their items
come (what content similarity can see); and every product has a fixed partner that is often
bought with it (what co-purchase can see). Popularity is nearly flat.
"""

from __future__ import annotations

import random
from collections import defaultdict

from kefu.recommend.history import History, Purchase

__all__ = ["planted_history"]


def planted_history(
    catalog: History,
    customers: int = 300,
    seed: int = 0,
    orders: tuple[int, int] = (2, 6),
    items: tuple[int, int] = (1, 3),
    affinity: float = 0.8,
    complement: float = 0.5,
) -> History:
    """``catalog``'s products with made-up customers' orders (time: order sequence)."""
    rng = random.Random(seed)
    products = list(catalog.product_ids)
    groups: dict[str, list[str]] = defaultdict(list)
    for pid in products:
        groups[catalog.products[pid].category or "all"].append(pid)
    shuffled = rng.sample(products, len(products))
    partner = {a: b for a, b in zip(shuffled, shuffled[1:] + shuffled[:1], strict=True)}
    lines: list[Purchase] = []
    names = sorted(groups)
    for n in range(customers):
        favourites = rng.sample(names, min(2, len(names)))
        for seq in range(rng.randint(*orders)):
            basket: list[str] = []
            wanted = rng.randint(*items)
            while len(basket) < wanted:
                group = groups[rng.choice(favourites)] if rng.random() < affinity else products
                pid = rng.choice(group)
                for pick in (pid, partner[pid]) if rng.random() < complement else (pid,):
                    if pick not in basket:
                        basket.append(pick)
            lines.extend(Purchase(f"c{n}", f"o{n}-{seq}", seq, pid) for pid in basket)
    return History(catalog.products.values(), lines, "sequence")
