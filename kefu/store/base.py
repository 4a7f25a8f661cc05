"""The store seam: what kefu needs to read from a shop's customers and orders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kefu.types import OrderView, person_name


@dataclass(frozen=True)
class CustomerRef:
    id: str
    first_name: str
    last_name: str
    language: str

    @property
    def display_name(self) -> str:
        return person_name(self.first_name, self.last_name, self.language)

    def name_forms(self) -> tuple[str, ...]:
        """How a customer may write their own name: "Noah Brown", "brown noah", "王芳"."""
        first, last = self.first_name.strip().lower(), self.last_name.strip().lower()
        return (f"{first} {last}", f"{last} {first}", f"{last}{first}", f"{last}, {first}")


class StoreBackend(Protocol):
    """Read access to a shop's customers and orders (writes arrive with the order actions)."""

    def find_customers_by_email(self, email: str) -> list[CustomerRef]:
        """Every customer with this email, compared without case or surrounding spaces."""
        ...

    def find_customers_by_zip(self, zip_code: str) -> list[CustomerRef]: ...

    def get_order(self, order_id: str) -> tuple[str, OrderView] | None:
        """The order and the id of the customer it belongs to."""
        ...

    def recent_orders(self, customer_id: str, limit: int = 5) -> list[OrderView]: ...
