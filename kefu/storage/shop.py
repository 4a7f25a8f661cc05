"""Replacing a whole shop (catalogue, customers, orders) in one transaction.

Used by the demo seeder and the store importers. Conversations, messages, events and API keys
are kept, but every conversation forgets who it had authenticated: after a replacement the same
customer id may be somebody else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from kefu.storage.models import (
    Address,
    Base,
    Conversation,
    Customer,
    Fulfillment,
    KnowledgeDocument,
    Order,
    OrderItem,
    Payment,
    PaymentMethod,
    Product,
    Variant,
)

Row = dict[str, Any]

# Children first: the order the tables are emptied in (and, reversed, filled in).
SHOP_MODELS: tuple[type[Base], ...] = (
    Payment,
    Fulfillment,
    OrderItem,
    Order,
    PaymentMethod,
    Address,
    Variant,
    Product,
    Customer,
)
_SERIAL_MODELS: tuple[type[Base], ...] = (Address, OrderItem, Fulfillment, Payment)


def replace_shop(
    session: Session, rows: Iterable[tuple[type[Base], list[Row]]], *, documents: bool = False
) -> None:
    """Empty the shop's tables (and the knowledge documents when ``documents``), then bulk-insert
    ``rows`` (parents before children), in the caller's transaction."""
    models: tuple[type[Base], ...] = (
        (*SHOP_MODELS, KnowledgeDocument) if documents else SHOP_MODELS
    )
    for model in models:
        session.execute(delete(model).execution_options(synchronize_session=False))
    for model, table_rows in rows:
        if table_rows:
            session.execute(insert(model), table_rows)
    _sync_serial_sequences(session)
    _forget_authentications(session)
    session.expire_all()


def _forget_authentications(session: Session) -> None:
    authenticated = session.scalars(
        select(Conversation).where(Conversation.customer_id.is_not(None))
    )
    for conv in authenticated:
        state = {**conv.state, "customer_id": None, "customer_name": None}
        session.execute(
            update(Conversation).where(Conversation.id == conv.id).values(
                customer_id=None, state=state, version=Conversation.version + 1
            )
        )


def _sync_serial_sequences(session: Session) -> None:
    """Explicit ids do not advance PostgreSQL's sequences; move them past the inserted rows."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in _SERIAL_MODELS:
        table = model.__tablename__
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        ))
