"""The staff console in a real headless Chromium against a real `kefu serve` (demo shop with its
month of made-up history): an agent signs in, takes over a conversation a customer opened in
the widget, replies, and the reply appears on the customer's page; the dashboard's charts
render the seeded data; gaps and experiments show. The screenshots go in the test's folder,
and in ``KEFU_SCREENSHOTS`` when set (the README's come from there)."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.test_widget import ask, open_widget
from tests.processes import KefuServer, must_run_kefu

PASSWORD = "a long enough secret"
LIVE_MS = 15_000


@pytest.fixture(scope="module")
def staffed(kefu_server: KefuServer) -> KefuServer:
    for name, role in (("alice", "agent"), ("root", "admin")):
        must_run_kefu("admin", "create", name, "--role", role, "--name", name.title(),
                      "--password", PASSWORD, data_dir=kefu_server.data_dir)
    return kefu_server


@pytest.fixture
def desk(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def shopper(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 860})
    yield ctx
    ctx.close()


def shot(page: Page, tmp_path: Path, name: str) -> Image.Image:
    """A screenshot, kept with the test (and for the README when KEFU_SCREENSHOTS is set)."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path))
    if os.environ.get("KEFU_SCREENSHOTS"):
        target = Path(os.environ["KEFU_SCREENSHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / path.name)
    return Image.open(io.BytesIO(path.read_bytes())).convert("RGB")


def sign_in(page: Page, base_url: str, username: str) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base_url}/console")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("user-name")).to_have_text(username.title())
    return errors


def test_an_agent_takes_over_and_the_customer_sees_the_reply_live(
    staffed: KefuServer, desk: BrowserContext, shopper: BrowserContext, tmp_path: Path
) -> None:
    customer = shopper.new_page()
    widget_errors = open_widget(customer, staffed.base_url)
    _, reply = ask(customer, "I want to talk to a human agent, please", press_enter=True)
    assert "team" in reply
    conv_id = json.loads(customer.evaluate("() => localStorage.getItem('kefu.conversation')"))
    conv_id = conv_id["id"]

    agent = desk.new_page()
    errors = sign_in(agent, staffed.base_url, "alice")
    row = agent.locator(f"[data-testid=inbox-item][data-id='{conv_id}']")
    expect(row).to_have_attribute("data-status", "handoff", timeout=LIVE_MS)
    row.click()
    pane = agent.get_by_test_id("conversation")
    expect(pane).to_have_attribute("data-id", conv_id)
    expect(pane.get_by_test_id("message").filter(has_text="human agent")).to_have_count(1)
    agent.get_by_test_id("take").click()
    expect(pane).to_have_attribute("data-held", "me", timeout=LIVE_MS)

    agent.get_by_test_id("reply-input").fill("Hi, this is Alice. How can I help?")
    agent.get_by_test_id("reply-send").click()
    said = customer.locator(".kefu-msg.kefu-agent").filter(has_text="this is Alice")
    expect(said).to_have_count(1, timeout=LIVE_MS)  # pushed to the widget, no reload
    expect(said).to_have_attribute("data-label", "Alice")

    customer.locator("#kefu-input").fill("<img src=x onerror=\"window.__owned=1\"> thanks Alice")
    customer.locator("#kefu-input").press("Enter")
    heard = pane.get_by_test_id("message").filter(has_text="thanks Alice")
    expect(heard).to_have_count(1, timeout=LIVE_MS)  # and the customer's reaches the agent
    assert agent.evaluate("() => window.__owned") is None  # shown as text, never as markup
    expect(agent.get_by_test_id("assist-summary")).not_to_be_empty()
    image = shot(agent, tmp_path, "console-inbox")
    assert max(ImageStat.Stat(image).stddev) > 20  # a real page, not a blank one
    shot(customer, tmp_path, "widget-agent-reply")

    agent.get_by_test_id("release").click()
    expect(pane).to_have_attribute("data-status", "open", timeout=LIVE_MS)
    _, back = ask(customer, "How long does delivery take?", press_enter=True)
    assert "Source" in back  # the assistant answers again, from the shop's pages
    assert errors == [] and [e for e in widget_errors if "404" not in e] == []


def test_the_dashboard_charts_show_the_seeded_history(
    staffed: KefuServer, desk: BrowserContext, tmp_path: Path
) -> None:
    page = desk.new_page()
    errors = sign_in(page, staffed.base_url, "root")
    page.get_by_test_id("nav-dashboard").click()
    expected = page.request.get(f"{staffed.base_url}/console/api/analytics").json()
    assert expected["totals"]["conversations"] > 100  # the demo's month of history
    expect(page.get_by_test_id("stat-conversations")).to_contain_text(
        str(expected["totals"]["conversations"]))
    per_day = page.get_by_test_id("chart-per-day")
    expect(per_day.locator("svg rect[height]").first).to_be_visible()
    bars = per_day.locator("svg rect").evaluate_all(
        "els => els.filter(e => parseFloat(e.getAttribute('height')) > 0).length")
    assert bars >= 30  # a bar (or more) for each of the 30 days
    for name in ("outcomes", "intents", "sentiment", "latency"):
        expect(page.get_by_test_id(f"chart-{name}").locator("svg").first).to_be_visible()
    intents = page.get_by_test_id("chart-intents").inner_text()
    assert expected["intents"][0]["intent"] in intents
    expect(page.get_by_test_id("unanswered-row").first).to_be_visible()

    image = shot(page, tmp_path, "console-dashboard")
    chart = per_day.bounding_box()
    assert chart is not None
    box = (int(chart["x"]), int(chart["y"]), int(chart["x"] + chart["width"]),
           int(chart["y"] + chart["height"]))
    region = image.crop(box)
    assert len(region.getcolors(maxcolors=1 << 16) or [0] * 999) > 8  # bars in several colours
    assert max(ImageStat.Stat(region).stddev) > 15

    page.get_by_test_id("chart-latency").scroll_into_view_if_needed()
    lower = shot(page, tmp_path, "console-dashboard-more")
    assert max(ImageStat.Stat(lower).stddev) > 15
    csv = page.request.get(f"{staffed.base_url}/console/api/analytics/export.csv?kind=daily")
    assert csv.ok and csv.text().startswith("day,conversations")
    assert errors == []


def test_gaps_and_experiments_in_the_console(
    staffed: KefuServer, desk: BrowserContext, tmp_path: Path
) -> None:
    page = desk.new_page()
    errors = sign_in(page, staffed.base_url, "root")
    page.get_by_test_id("nav-gaps").click()
    gap = page.get_by_test_id("gap").first
    expect(gap).to_be_visible(timeout=LIVE_MS)
    assert int(gap.get_by_test_id("gap-size").inner_text().split()[0]) >= 2
    shot(page, tmp_path, "console-gaps")

    page.get_by_test_id("nav-experiments").click()
    form = page.get_by_test_id("experiment-create")
    form.get_by_test_id("exp-name").fill("brief answers")
    variants = form.get_by_test_id("exp-variant")
    variants.nth(0).get_by_test_id("variant-name").fill("control")
    variants.nth(1).get_by_test_id("variant-name").fill("brief")
    variants.nth(1).get_by_test_id("variant-prompt").fill("brief")
    form.get_by_test_id("exp-submit").click()
    made = page.get_by_test_id("experiment").filter(has_text="brief answers")
    expect(made).to_have_attribute("data-status", "draft", timeout=LIVE_MS)
    made.get_by_test_id("experiment-start").click()
    expect(made).to_have_attribute("data-status", "running", timeout=LIVE_MS)
    expect(made.get_by_test_id("experiment-advice")).to_contain_text("Keep running")
    shot(page, tmp_path, "console-experiments")
    made.get_by_test_id("experiment-stop").click()
    expect(made).to_have_attribute("data-status", "stopped", timeout=LIVE_MS)
    assert errors == []


def test_an_agent_sees_no_admin_pages(staffed: KefuServer, desk: BrowserContext) -> None:
    page = desk.new_page()
    sign_in(page, staffed.base_url, "alice")
    expect(page.get_by_test_id("nav-inbox")).to_be_visible()
    expect(page.get_by_test_id("nav-experiments")).to_be_hidden()
    expect(page.get_by_test_id("nav-staff")).to_be_hidden()
    res = page.request.get(f"{staffed.base_url}/console/api/experiments")
    assert res.status == 403
