"""The StoreBackend contract, written once and run on every implementation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kefu.store.base import StoreBackend
from kefu.store.database import DatabaseStore
from tests.shop import seed_small_shop


class StoreBackendContract:
    def test_customer_by_email_ignores_case(self, store: StoreBackend) -> None:
        found = store.find_customers_by_email(" Noah@Example.com ")
        assert [c.id for c in found] == ["noah_brown"]
        assert found[0].display_name == "Noah Brown"
        assert store.find_customers_by_email("nobody@example.com") == []

    def test_customers_by_zip(self, store: StoreBackend) -> None:
        assert sorted(c.id for c in store.find_customers_by_zip("80279")) == ["ivan_li",
                                                                             "noah_brown"]
        zh = store.find_customers_by_zip("200031")
        assert [c.display_name for c in zh] == ["王芳"]
        assert store.find_customers_by_zip("00000") == []

    def test_order_with_owner_items_and_shipment(self, store: StoreBackend) -> None:
        found = store.get_order("KF00000001")
        assert found is not None
        owner, order = found
        assert owner == "noah_brown" and order.status == "shipped"
        assert order.total_cents == 8999 and order.items[0].name_zh == "机械键盘"
        assert order.tracking_ids == ("TRK0001",) and order.carrier == "UPS"
        assert order.shipped_at == "2026-10-03"
        assert store.get_order("KF99999999") is None

    def test_recent_orders_newest_first(self, store: StoreBackend) -> None:
        assert [o.order_id for o in store.recent_orders("noah_brown")] == ["KF00000002",
                                                                           "KF00000001"]
        assert [o.order_id for o in store.recent_orders("noah_brown", limit=1)] == ["KF00000002"]
        assert store.recent_orders("nobody") == []


class TestDatabaseStore(StoreBackendContract):
    @pytest.fixture
    def store(self, session_factory: sessionmaker[Session]) -> Iterator[StoreBackend]:
        with session_factory.begin() as session:
            seed_small_shop(session)
        with session_factory() as session:
            yield DatabaseStore(session)
