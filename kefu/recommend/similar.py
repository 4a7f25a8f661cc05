""""Like this, but cheaper" and "like this, in blue": products like an anchor product — of its
category, most similar by content first; in a catalogue without categories, its nearest
products by content — that are cheaper than it, or have a variant with the wanted option."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from kefu.errors import NotFound
from kefu.recommend.base import Constraints, Recommendation
from kefu.recommend.content import ContentRecommender
from kefu.recommend.history import ProductInfo
from kefu.recommend.matching import canonical_value, matching_variants, pick_variant
from kefu.recommend.reasons import Reason, texts

__all__ = ["like_this"]


def _reference_price(anchor: ProductInfo, variant_id: str | None) -> int | None:
    """The anchor variant's price, or the product's lowest."""
    for v in anchor.variants:
        if v.id == variant_id:
            return v.price_cents
    return anchor.min_price_cents


def _candidates(content: ContentRecommender, anchor: ProductInfo, neighbours: int) -> list[str]:
    history = content.history
    sims = content.similarity(anchor.id)
    ranked = [history.product_ids[i] for i in sims.argsort(kind="stable")[::-1]]
    others = [pid for pid in ranked if pid != anchor.id]
    if anchor.category:
        same = [pid for pid in others if history.products[pid].category == anchor.category]
        if same:
            return same
    return others[:neighbours]


def _wanted_option(color: str | None, options: Mapping[str, str]) -> str | None:
    value = color or next(iter(options.values()), None)
    return canonical_value(value) if value else None


def like_this(
    content: ContentRecommender,
    anchor_id: str,
    *,
    k: int = 5,
    cheaper: bool = False,
    color: str | None = None,
    options: Mapping[str, str] | None = None,
    anchor_variant_id: str | None = None,
    exclude: Collection[str] = (),
    constraints: Constraints | None = None,
    neighbours: int = 5,
) -> list[Recommendation]:
    """Up to ``k`` products like ``anchor_id`` (a fitted content recommender's product),
    cheaper than the anchor variant (or the anchor's lowest price) when ``cheaper``, with a
    variant of ``color``/``options`` when given ("blue" or "蓝色"). When an option is asked,
    the anchor itself comes first if it has a variant with it. Raises :class:`NotFound` for a
    product the catalogue does not have."""
    history = content.history
    if anchor_id not in history.products:
        raise NotFound(f"no product {anchor_id!r} in the catalogue")
    anchor = history.products[anchor_id]
    c = constraints or Constraints()
    c = replace(c, exclude_bought=False, color=color or c.color,
                options={**c.options, **(options or {})})
    reference = _reference_price(anchor, anchor_variant_id)
    if cheaper and reference is not None:
        ceiling = reference - 1
        c = replace(c, max_price_cents=min(ceiling, c.max_price_cents or ceiling))
    option = _wanted_option(c.color, c.options)
    picks: list[Recommendation] = []
    if option and not cheaper:
        same = [v for v in matching_variants(anchor, c) if v.id != anchor_variant_id]
        if same:
            en, zh = texts(Reason("same_product", anchor.id, option=option), history)
            picks.append(Recommendation(anchor.id, same[0].id, 1.0, en, zh))
    sims = content.similarity(anchor_id)
    for pid in _candidates(content, anchor, neighbours):
        if len(picks) >= k:
            break
        if pid in exclude:
            continue
        product = history.products[pid]
        ok, variant_id = pick_variant(product, c)
        if not ok:
            continue
        reason = _reason(anchor, product, variant_id, reference, cheaper, option)
        en, zh = texts(reason, history)
        picks.append(Recommendation(pid, variant_id, float(sims[history.index[pid]]), en, zh))
    return picks


def _reason(anchor: ProductInfo, product: ProductInfo, variant_id: str | None,
            reference: int | None, cheaper: bool, option: str | None) -> Reason:
    if cheaper and reference is not None:
        price = next((v.price_cents for v in product.variants if v.id == variant_id),
                     product.min_price_cents or reference)
        return Reason("cheaper", anchor.id, cents=reference - price, option=option)
    if option:
        return Reason("with_option", anchor.id, option=option)
    return Reason("similar", anchor.id)
