"""Order tools. Authorisation lives here, never in a prompt: a customer sees only their orders."""

from __future__ import annotations

from kefu.store.base import CustomerRef, StoreBackend
from kefu.types import OrderView


def authenticate(
    store: StoreBackend, *, email: str | None, zip_code: str | None, text: str
) -> CustomerRef | None:
    """The customer proved by an email, or by a zip code plus their full name in ``text``.

    Proof must point at exactly one customer: an email or name shared by several proves nobody.
    """
    if email:
        by_email = store.find_customers_by_email(email)
        if len(by_email) == 1:
            return by_email[0]
    if zip_code:
        lowered = " ".join(text.lower().split())
        matches = [
            c for c in store.find_customers_by_zip(zip_code)
            if any(form in lowered for form in c.name_forms())
        ]
        if len(matches) == 1:
            return matches[0]
    return None


def order_for_customer(store: StoreBackend, customer_id: str, order_id: str) -> OrderView | None:
    """The order when it belongs to ``customer_id``; None otherwise (no hint that it exists)."""
    found = store.get_order(order_id)
    if found is None or found[0] != customer_id:
        return None
    return found[1]
