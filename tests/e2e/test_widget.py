"""The storefront and chat widget in a real browser, against a real ``kefu serve``.

A customer of the demo shop opens the widget, asks where a shipped order is, and gets the
streamed answer; the conversation survives a page reload. Once in English, once in Chinese.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

if TYPE_CHECKING:
    from tests.processes import KefuServer

pytestmark = pytest.mark.e2e

REPLY_TIMEOUT_MS = 60_000
DONE = '.kefu-msg.kefu-assistant[data-done="1"]'


def shipped_order(db_path: Path, language: Literal["en", "zh"]) -> tuple[str, str]:
    """(order id, customer email) of a shipped order whose customer speaks ``language``."""
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        row = conn.execute(
            "SELECT o.id, c.email FROM orders AS o JOIN customers AS c ON c.id = o.customer_id"
            " WHERE c.language = ? AND o.status = 'shipped' ORDER BY c.id, o.id LIMIT 1",
            (language,),
        ).fetchone()
    if row is None:
        pytest.fail(f"the demo shop has no shipped order of a customer with language {language!r}")
    return str(row[0]), str(row[1])


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    """A fresh browser profile (empty localStorage) in the locale the test asks for."""
    locale = getattr(request, "param", "en-US")
    ctx = browser.new_context(locale=locale, viewport={"width": 1280, "height": 860})
    try:
        yield ctx
    finally:
        ctx.close()


def open_widget(page: Page, base_url: str) -> list[str]:
    """Loads the storefront and opens the chat; returns a list that collects page errors."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{base_url}/")
    expect(page.locator(".card[data-product-id]").first).to_be_visible()
    page.locator("#kefu-launcher").click()
    expect(page.locator("#kefu-panel")).to_be_visible()
    # the conversation is created on first open; wait for it before counting bubbles
    page.wait_for_function("() => !!localStorage.getItem('kefu.conversation')")
    return errors


def ask(page: Page, text: str, *, press_enter: bool) -> tuple[str, str]:
    """Sends ``text``, waits for the completed, streamed reply.

    Returns (the user bubble's text, the reply's text). The user bubble shows the message as
    the server stored it (its ``message`` event): the customer's own text, unchanged.
    """
    done = page.locator(DONE)
    before = done.count()
    page.locator("#kefu-input").fill(text)
    if press_enter:
        page.locator("#kefu-input").press("Enter")
    else:
        page.locator("#kefu-send").click()
    expect(done).to_have_count(before + 1, timeout=REPLY_TIMEOUT_MS)
    expect(page.locator(".kefu-typing")).to_have_count(0)
    expect(page.locator("#kefu-input")).to_have_value("")
    expect(page.locator("#kefu-error")).to_be_hidden()
    user = page.locator(".kefu-msg.kefu-user").last
    expect(user).to_have_attribute("data-seq", re.compile(r"^\d+$"))
    return user.text_content() or "", done.last.text_content() or ""


def assert_history_after_reload(page: Page, asked: str, reply: str, order_id: str) -> None:
    """After a reload the widget reopens and shows the stored turn, fetched from the server."""
    conversation = stored_conversation(page)
    page.reload()
    expect(page.locator("#kefu-panel")).to_be_visible()
    expect(page.locator(".kefu-msg.kefu-user").filter(has_text=asked)).to_have_count(1)
    expect(page.locator(".kefu-msg.kefu-user").last).to_have_text(asked)
    expect(page.locator(DONE).filter(has_text=order_id)).to_have_count(1)
    expect(page.locator(DONE).last).to_have_text(reply)
    assert stored_conversation(page) == conversation


def stored_conversation(page: Page) -> dict[str, str]:
    raw = page.evaluate("() => localStorage.getItem('kefu.conversation')")
    assert isinstance(raw, str), "the widget did not store its conversation"
    stored = json.loads(raw)
    assert set(stored) >= {"id", "token"}
    return {"id": str(stored["id"]), "token": str(stored["token"])}


@pytest.mark.parametrize("context", ["en-US"], indirect=True)
def test_english_customer_asks_about_a_shipped_order(
    kefu_server: KefuServer, context: BrowserContext, tmp_path: Path
) -> None:
    order_id, email = shipped_order(kefu_server.db_path, "en")
    page = context.new_page()
    errors = open_widget(page, kefu_server.base_url)

    question = f"Where is my order {order_id}? My email is {email}"
    asked, reply = ask(page, question, press_enter=True)

    assert order_id in reply, reply
    assert "shipped" in reply.lower(), reply
    assert asked == question
    assert_history_after_reload(page, asked, reply, order_id)

    page.screenshot(path=str(tmp_path / "widget-en.png"))
    assert errors == []


@pytest.mark.parametrize("context", ["zh-CN"], indirect=True)
def test_chinese_customer_asks_about_a_shipped_order(
    kefu_server: KefuServer, context: BrowserContext, tmp_path: Path
) -> None:
    order_id, email = shipped_order(kefu_server.db_path, "zh")
    page = context.new_page()
    errors = open_widget(page, kefu_server.base_url)

    question = f"我的订单{order_id}到哪了？我的邮箱是{email}"
    asked, reply = ask(page, question, press_enter=False)

    assert order_id in reply, reply
    assert "已发货" in reply, reply
    assert asked == question
    # a zh-CN browser gets the Chinese storefront and a conversation opened in Chinese
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    conversation = stored_conversation(page)
    response = page.request.get(
        f"{kefu_server.base_url}/v1/conversations/{conversation['id']}",
        headers={"X-Conversation-Token": conversation["token"]},
    )
    assert response.status == 200
    assert response.json()["language"] == "zh"
    assert_history_after_reload(page, asked, reply, order_id)

    page.screenshot(path=str(tmp_path / "widget-zh.png"))
    assert errors == []


@pytest.mark.parametrize("context", ["en-US"], indirect=True)
def test_an_answer_shows_its_sources_under_it(
    kefu_server: KefuServer, context: BrowserContext, tmp_path: Path
) -> None:
    page = context.new_page()
    errors = open_widget(page, kefu_server.base_url)
    ask(page, "do you have the mechanical keyboard with clicky switches?", press_enter=True)
    cites = page.locator(DONE).last.locator(".kefu-cite")
    expect(cites.first).to_have_text(re.compile(r"^catalog:p\d+"))
    ask(page, "How long does delivery take?", press_enter=True)
    doc = page.locator(DONE).last.locator(".kefu-cite")
    expect(doc.first).to_have_text(re.compile(r"^en/.+\.md#"))
    expect(page.locator(".kefu-cite a, .kefu-msg img")).to_have_count(0)  # text, never links
    page.screenshot(path=str(tmp_path / "widget-cites.png"))
    assert errors == []
