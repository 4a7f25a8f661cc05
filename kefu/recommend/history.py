"""What the recommenders learn from: the catalogue (products and their variants) and who bought
what, in each customer's order of orders.

``load_history`` reads both from the shop's database. Time is the order of a customer's orders:
by ``created_at`` when every order has one (the demo shop), else by ``customer_seq`` (tau-bench's
orders have no timestamps; their order in the user's list stands for time).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kefu.storage.models import Order, Product

__all__ = ["History", "ProductInfo", "Purchase", "VariantInfo", "load_history"]


@dataclass(frozen=True)
class VariantInfo:
    id: str
    options: Mapping[str, str] = field(default_factory=dict)
    price_cents: int = 0
    available: bool = True
    stock: int | None = None

    @property
    def in_stock(self) -> bool:
        return self.available and (self.stock is None or self.stock > 0)


@dataclass(frozen=True)
class ProductInfo:
    id: str
    name: str
    variants: tuple[VariantInfo, ...] = ()
    name_zh: str | None = None
    category: str | None = None
    description: str | None = None
    description_zh: str | None = None

    def display_name(self, language: str) -> str:
        return self.name_zh if language == "zh" and self.name_zh else self.name

    @property
    def min_price_cents(self) -> int | None:
        return min((v.price_cents for v in self.variants), default=None)


@dataclass(frozen=True)
class Purchase:
    """One order line: ``seq`` is the order's place among the customer's orders (0 first)."""

    customer_id: str
    order_id: str
    seq: int
    product_id: str
    variant_id: str | None = None


class History:
    """The catalogue and the purchases of products in it (lines of other products are dropped),
    with the lookups every recommender needs. Products keep the catalogue's order."""

    def __init__(self, products: Iterable[ProductInfo], purchases: Iterable[Purchase],
                 time_source: str = "sequence") -> None:
        self.time_source = time_source  # what orders the orders: "created_at" or "sequence"
        self.products: dict[str, ProductInfo] = {p.id: p for p in products}
        self.product_ids: tuple[str, ...] = tuple(self.products)
        self.index: dict[str, int] = {pid: i for i, pid in enumerate(self.product_ids)}
        self.purchases: tuple[Purchase, ...] = tuple(
            p for p in purchases if p.product_id in self.products
        )
        by_customer: dict[str, list[Purchase]] = defaultdict(list)
        for purchase in self.purchases:
            by_customer[purchase.customer_id].append(purchase)
        self._by_customer = {c: sorted(ps, key=lambda p: p.seq) for c, ps in by_customer.items()}

    @property
    def customers(self) -> list[str]:
        return sorted(self._by_customer)

    def purchases_of(self, customer_id: str) -> list[Purchase]:
        """The customer's order lines, oldest order first."""
        return self._by_customer.get(customer_id, [])

    def orders_of(self, customer_id: str) -> list[list[Purchase]]:
        """The customer's orders (their lines), oldest first."""
        orders: dict[int, list[Purchase]] = defaultdict(list)
        for purchase in self.purchases_of(customer_id):
            orders[purchase.seq].append(purchase)
        return [orders[seq] for seq in sorted(orders)]

    def bought(self, customer_id: str) -> set[str]:
        return {p.product_id for p in self.purchases_of(customer_id)}

    def with_purchases(self, purchases: Iterable[Purchase]) -> History:
        """The same catalogue with other purchases (a training split)."""
        return History(self.products.values(), purchases, self.time_source)


def load_history(session: Session) -> History:
    """The shop's catalogue and every order line, each customer's orders put in time order."""
    products = session.scalars(
        select(Product).options(selectinload(Product.variants)).order_by(Product.position,
                                                                          Product.id)
    )
    catalog = [_product_info(p) for p in products]
    orders = session.scalars(
        select(Order).options(selectinload(Order.items)).order_by(Order.position, Order.id)
    ).all()
    timed = bool(orders) and all(o.created_at is not None for o in orders)
    return History(catalog, _purchases(orders), "created_at" if timed else "sequence")


def _product_info(product: Product) -> ProductInfo:
    variants = tuple(
        VariantInfo(
            v.id,
            {str(k): str(val) for k, val in (v.options or {}).items()},
            int(v.price_cents),
            bool(v.available),
            v.stock,
        )
        for v in product.variants
    )
    return ProductInfo(product.id, product.name, variants, product.name_zh, product.category,
                       product.description, product.description_zh)


def _purchases(orders: Iterable[Order]) -> list[Purchase]:
    by_customer: dict[str, list[Order]] = defaultdict(list)
    for order in orders:
        by_customer[order.customer_id].append(order)
    lines: list[Purchase] = []
    for customer_id, placed in by_customer.items():
        for seq, order in enumerate(_in_time_order(placed)):
            lines.extend(
                Purchase(customer_id, order.id, seq, item.product_id, item.variant_id)
                for item in order.items
            )
    return lines


def _in_time_order(orders: list[Order]) -> list[Order]:
    """By creation time when every order has one, else by the customer's sequence."""
    if all(o.created_at is not None for o in orders):
        return sorted(orders, key=lambda o: (o.created_at.timestamp() if o.created_at else 0.0,
                                             o.customer_seq, o.id))
    return sorted(orders, key=lambda o: (o.customer_seq, o.id))
