"""The recommender seam: fit on a purchase history, then recommend products to a customer.

Every implementation ranks the catalogue for the customer and hands the ranking to the same
re-ranking step (:mod:`kefu.recommend.rerank`), which applies the :class:`Constraints` and
writes each pick's reason in English and Chinese.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from kefu.recommend.history import History

__all__ = ["Constraints", "Recommendation", "Recommender"]


@dataclass(frozen=True)
class Recommendation:
    """A product to suggest; ``variant_id`` when the constraints single out a variant (a size,
    a colour, a price range: the cheapest that fits), else None."""

    product_id: str
    variant_id: str | None
    score: float
    reason_en: str
    reason_zh: str


@dataclass(frozen=True)
class Constraints:
    """What a suggestion must satisfy. Variant-level conditions (stock, size, colour, options,
    price) must hold together for at least one variant of the product.

    ``color`` and ``options`` values may be English or Chinese ("blue", "蓝色"); ``size`` as
    written on the label or as Chinese customers write it ("M", "M码"). Prices are in cents.
    """

    in_stock: bool = True
    exclude_bought: bool = True
    size: str | None = None
    color: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    category: str | None = None

    @property
    def names_a_variant(self) -> bool:
        """Whether the conditions go beyond stock, so that a particular variant is meant."""
        return bool(self.size or self.color or self.options or self.min_price_cents is not None
                    or self.max_price_cents is not None)


class Recommender(Protocol):
    """Learns from a :class:`History`; then ranks products for one of its customers."""

    name: str

    def fit(self, history: History) -> None: ...

    def recommend(
        self,
        customer_id: str,
        k: int = 10,
        exclude: Collection[str] = (),
        constraints: Constraints | None = None,
    ) -> list[Recommendation]:
        """At most ``k`` products, best first, none of ``exclude`` (product ids); a customer
        the history does not know gets the best sellers."""
        ...
