"""An order action in the widget, in a real browser: a Chinese customer cancels a pending
order, confirms, and the store changes only after the yes."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from tests.e2e.test_widget import ask, context, open_widget
from tests.processes import KefuServer

__all__ = ["context"]


def pending_order(db: Path) -> tuple[str, str]:
    with closing(sqlite3.connect(db)) as conn:
        row = conn.execute(
            "SELECT o.id, c.email FROM orders o JOIN customers c ON c.id = o.customer_id "
            "WHERE o.status = 'pending' AND c.language = 'zh' ORDER BY o.id LIMIT 1").fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


def status(db: Path, order_id: str) -> str:
    with closing(sqlite3.connect(db)) as conn:
        return str(conn.execute("SELECT status FROM orders WHERE id = ?", (order_id,))
                   .fetchone()[0])


@pytest.mark.parametrize("context", ["zh-CN"], indirect=True)
def test_a_customer_cancels_an_order_in_the_widget(
    kefu_server: KefuServer, context: BrowserContext, tmp_path: Path
) -> None:
    order_id, email = pending_order(kefu_server.db_path)
    page = context.new_page()
    errors = open_widget(page, kefu_server.base_url)
    _, asked = ask(page, f"我想取消订单 {order_id}，我的邮箱是 {email}", press_enter=True)
    assert "不再需要" in asked, asked
    _, confirm = ask(page, "不需要了", press_enter=True)
    assert "确认办理吗" in confirm and order_id in confirm
    assert status(kefu_server.db_path, order_id) == "pending"
    _, done = ask(page, "是的", press_enter=True)
    assert done.startswith("已办理") and status(kefu_server.db_path, order_id) == "cancelled"
    page.screenshot(path=str(tmp_path / "widget-cancel.png"))
    assert errors == []
