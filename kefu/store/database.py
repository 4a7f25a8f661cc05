"""The built-in store: customers and orders in kefu's own database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kefu.storage.models import Address, Customer, Order, Product
from kefu.store.base import CustomerRef
from kefu.types import OrderLine, OrderView


class DatabaseStore:
    """A StoreBackend over the SQLAlchemy models, within the caller's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def find_customers_by_email(self, email: str) -> list[CustomerRef]:
        rows = self._session.scalars(
            select(Customer).where(func.lower(Customer.email) == email.strip().lower())
        )
        return [_ref(r) for r in rows]

    def find_customers_by_zip(self, zip_code: str) -> list[CustomerRef]:
        rows = self._session.scalars(
            select(Customer)
            .join(Address, Address.customer_id == Customer.id)
            .where(Address.zip == zip_code.strip())
            .distinct()
        )
        return [_ref(r) for r in rows]

    def get_order(self, order_id: str) -> tuple[str, OrderView] | None:
        order = self._session.scalars(
            select(Order).where(Order.id == order_id).options(*_ORDER_LOADS)
        ).first()
        if order is None:
            return None
        return order.customer_id, order_view(order, self._zh_names([order]))

    def recent_orders(self, customer_id: str, limit: int = 5) -> list[OrderView]:
        orders = self._session.scalars(
            select(Order)
            .where(Order.customer_id == customer_id)
            .order_by(Order.created_at.desc().nulls_last(), Order.customer_seq.desc())
            .limit(limit)
            .options(*_ORDER_LOADS)
        )
        rows = list(orders)
        names = self._zh_names(rows)
        return [order_view(o, names) for o in rows]

    def _zh_names(self, orders: list[Order]) -> dict[str, str]:
        ids = {i.product_id for o in orders for i in o.items}
        if not ids:
            return {}
        rows = self._session.execute(
            select(Product.id, Product.name_zh).where(Product.id.in_(ids))
        )
        return {pid: name for pid, name in rows if name}


_ORDER_LOADS = (selectinload(Order.items), selectinload(Order.fulfillments),
                selectinload(Order.payments))


def _ref(row: Customer) -> CustomerRef:
    return CustomerRef(row.id, row.first_name, row.last_name, row.language)


def _iso(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def order_view(order: Order, names_zh: dict[str, str]) -> OrderView:
    shipment = order.fulfillments[-1] if order.fulfillments else None
    return OrderView(
        order_id=order.id,
        status=order.status,
        currency=order.currency,
        total_cents=sum(i.price_cents for i in order.items),
        items=tuple(
            OrderLine(
                i.name,
                {str(k): str(v) for k, v in i.options.items()},
                i.price_cents,
                names_zh.get(i.product_id),
            )
            for i in order.items
        ),
        tracking_ids=tuple(t for f in order.fulfillments for t in f.tracking_ids),
        refunded_cents=sum(p.amount_cents for p in order.payments
                           if p.transaction_type == "refund"),
        carrier=shipment.carrier if shipment else None,
        shipped_at=_iso(shipment.shipped_at) if shipment else None,
        delivered_at=_iso(shipment.delivered_at) if shipment else None,
        created_at=_iso(order.created_at),
    )
