"""Cross-site scripting, in a real Chromium against a real ``kefu serve``: what a customer
writes, what is planted in the knowledge base and the catalogue, and what an agent writes is
only ever shown as text, in the widget on the storefront and in the staff console.

Each payload below (written for this test) would set its own ``window.__xss_<n>`` if it ran,
or fetch ``http://evil.invalid/…`` if it were rendered. They go in (a) as a customer's
messages in the widget, (b) into a knowledge-base page (``kefu kb add``) and a product's name
and description (the server's SQLite database, directly), asked about so that the assistant
retrieves them, and (c) into the console: a conversation full of them that an agent opens and
takes over (and answers with payloads of its own, seen by the customer live), the knowledge
search and assist, and the dashboard's unanswered questions and gaps, with the payloads among
them. On every page: no ``window.__xss_*`` global, no dialog, no request to any host but the
kefu server, no element that carries an event handler or a script, frame or outside URL, and
the payload's text is on the page as text (proof that it was rendered, and rendered as text).

The pages run with the Content-Security-Policy bypassed (Playwright's ``bypass_csp``): the
policy would stop inline scripts and outside loads on its own, so with it on this test could
not tell a page that renders text safely from one that renders markup and is saved by the
policy. The policy itself is checked separately: ``/`` and ``/console`` send it.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.test_console import PASSWORD, sign_in
from tests.e2e.test_widget import ask, open_widget
from tests.processes import KefuServer, must_run_kefu

pytestmark = pytest.mark.e2e

LIVE_MS = 15_000
KB_READY_S = 60.0  # each server process looks for new documents every 30 s

# Each one is marked "XSS<n>" so that its text can be found on the page.
PAYLOADS: tuple[str, ...] = (
    '<script>window.__xss_1=1</script> XSS01 a script tag',
    '<img src=x onerror="window.__xss_2=1"> XSS02 an image that fails to load',
    '<svg onload="window.__xss_3=1"><circle r="9"/></svg> XSS03 an svg with onload',
    '<a href="javascript:window.__xss_4=1">XSS04 a javascript: link</a>',
    '<iframe srcdoc="<script>parent.__xss_5=1</script>"></iframe> XSS05 an iframe srcdoc',
    '<details open ontoggle="window.__xss_6=1"><summary>XSS06 a handler that fires at once'
    '</summary></details>',
    '[XSS07 claim your prize](http://evil.invalid/7) ![XSS07 a badge](http://evil.invalid/7.png)',
    '&lt;img src=x onerror=&quot;window.__xss_8=1&quot;&gt; XSS08 html entities &#60;b&#62;',
    '您好，请问我的订单什么时候发货？<img src=x onerror="window.__xss_9=1">谢谢 XSS09 中文里的',
    '</script><script>window.__xss_10=1</script> XSS10 a script breakout',
    '<div style="width:expression(window.__xss_11=1);background:url(http://evil.invalid/11.png)">'
    'XSS11 a css expression</div>',
    '<object data="data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3NfMTI9MTwvc2NyaXB0Pg==">'
    '</object> XSS12 a data: url',
    '<input autofocus onfocus="window.__xss_13=1"> XSS13 autofocus',
    '<link rel="stylesheet" href="http://evil.invalid/14.css"> XSS14 an outside stylesheet',
    '" onmouseover="window.__xss_15=1" data-x=" XSS15 an attribute breakout',
    '${window.__xss_16=1} {{constructor.constructor("window.__xss_16=1")()}} XSS16 templates',
)
# The catalogue's: a product name (shown on the storefront) and a description.
PRODUCT_PAYLOAD = '<img src=x onerror="window.__xss_17=1"> XSS17 in a product name'
DESCRIPTION_PAYLOAD = '<svg onload="window.__xss_18=1"></svg> XSS18 in a description'

# Every element that could run, frame or fetch, and every attribute that could.
DOM_SCAN = """() => {
  const bad = [];
  const urlish = ['href', 'src', 'action', 'formaction', 'data', 'style', 'background',
                  'poster', 'xlink:href'];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const v = a.value.toLowerCase();
      if (a.name.startsWith('on') || a.name === 'srcdoc' ||
          (urlish.includes(a.name) && /javascript:|evil\\.invalid|__xss|data:text/.test(v))) {
        bad.push(el.tagName + ' ' + a.name + '=' + a.value.slice(0, 80));
      }
    }
  }
  const risky = 'iframe, frame, object, embed, script:not([src]), img[src="x"], ' +
                'link[href*="evil"], input[autofocus], svg[onload], details[ontoggle]';
  for (const el of document.querySelectorAll(risky)) {
    bad.push('element ' + el.outerHTML.slice(0, 80));
  }
  return bad;
}"""


@dataclass
class Watch:
    """What a page did that it should not have: foreign requests, dialogs, script errors."""

    origin: str
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def watch(page: Page, origin: str) -> Watch:
    seen = Watch(origin)
    page.on("request", lambda req: seen.requests.append(req.url))
    page.on("pageerror", lambda exc: seen.errors.append(str(exc)))

    def dialog(d: object) -> None:
        seen.dialogs.append(f"{d.type}: {d.message}")  # type: ignore[attr-defined]
        d.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", dialog)
    return seen


def poke(page: Page, selector: str) -> None:
    """Hovers over every element that shows a payload: a handler that waits for the mouse
    would fire now."""
    for node in page.locator(selector).filter(has_text=re.compile(r"XSS\d\d")).all():
        node.scroll_into_view_if_needed()
        node.hover()


def assert_inert(page: Page, seen: Watch, shown: tuple[str, ...] | list[str] = ()) -> None:
    """Nothing ran, opened, loaded or became markup, and each of ``shown`` is on the page
    as text."""
    page.wait_for_timeout(500)  # an image error or an autofocus handler would have fired
    for frame in page.frames:
        ran = frame.evaluate(
            "() => Object.getOwnPropertyNames(window).filter(k => k.startsWith('__xss'))")
        assert ran == [], f"a payload ran in {frame.url}: {ran}"
    assert len(page.frames) == 1, [f.url for f in page.frames]
    assert seen.dialogs == [], seen.dialogs
    foreign = [u for u in seen.requests if not u.startswith(seen.origin + "/")]
    assert foreign == [], f"requests left for another host: {foreign}"
    markup = page.evaluate(DOM_SCAN)
    assert markup == [], f"a payload became markup: {markup}"
    assert [e for e in seen.errors if "__xss" in e] == [], seen.errors
    text = page.evaluate("() => document.body.innerText")
    missing = [s for s in shown if s not in text]
    assert missing == [], f"not shown as text: {missing}"


@pytest.fixture(scope="module")
def planted(kefu_server: KefuServer, tmp_path_factory: pytest.TempPathFactory) -> KefuServer:
    """Staff accounts; every payload in a knowledge-base page (an FAQ entry each, found by a
    made-up word), in a product's name and description, and among the unanswered questions
    of the last hour (as an older release might have stored them)."""
    data = kefu_server.data_dir
    for name, role in (("alice", "agent"), ("root", "admin")):
        must_run_kefu("admin", "create", name, "--role", role, "--name", name.title(),
                      "--password", PASSWORD, data_dir=data)
    page = tmp_path_factory.mktemp("kb") / "gift-help.md"
    sections = [f"## How do I use a {kb_word(i)} voucher?\n\nA {kb_word(i)} voucher (XSS{i:02d}) "
                f"is redeemed at checkout {payload} and it never expires.\n"
                for i, payload in enumerate(PAYLOADS, 1)]
    page.write_text("# Gift vouchers\n\n" + "\n".join(sections), encoding="utf-8")
    must_run_kefu("kb", "add", str(page), "--type", "faq", "--language", "en", data_dir=data)
    now = datetime.now(UTC) - timedelta(minutes=2)
    with closing(sqlite3.connect(kefu_server.db_path)) as conn, conn:
        first = conn.execute(
            "SELECT id, name FROM products ORDER BY position, id LIMIT 1").fetchone()
        conn.execute("UPDATE products SET name = ?, description = description || ? WHERE id = ?",
                     (f"{first[1]} {PRODUCT_PAYLOAD}", f" {DESCRIPTION_PAYLOAD}", first[0]))
        seed_unanswered(conn, now)
    return kefu_server


KB_WORDS = ("aardvark", "bandicoot", "capybara", "dugong", "echidna", "fossa", "gharial",
            "hoatzin", "ibex", "jerboa", "kinkajou", "lemming", "margay", "numbat", "okapi",
            "pangolin")


def kb_word(i: int) -> str:
    """A made-up voucher name per FAQ entry, so that a question finds that entry."""
    return KB_WORDS[i - 1]


def seed_unanswered(conn: sqlite3.Connection, when: datetime) -> None:
    """One conversation holding every payload as a question the assistant did not understand
    (plaintext columns: kefu reads a value without its encryption prefix as it is)."""
    stamp = when.strftime("%Y-%m-%d %H:%M:%S.%f")
    conv = "00000000-0000-4000-8000-00000000a551"
    conn.execute(
        "INSERT INTO conversations (id, token_hash, channel, language, status, state, version,"
        " created_at, updated_at) VALUES (?, 'x', 'widget', 'en', 'open', '{}', 0, ?, ?)",
        (conv, stamp, stamp))
    for n, payload in enumerate(PAYLOADS):
        conn.execute(
            "INSERT INTO messages (conversation_id, seq, role, text, language, intent,"
            " confidence, meta, created_at) VALUES (?, ?, 'user', ?, 'en', 'out_of_scope', 0.2,"
            " '{}', ?)", (conv, 2 * n + 1, payload, stamp))
        conn.execute(
            "INSERT INTO messages (conversation_id, seq, role, text, language, meta, created_at)"
            " VALUES (?, ?, 'assistant', 'Sorry, could you rephrase?', 'en', ?, ?)",
            (conv, 2 * n + 2, json.dumps({"action": "clarify"}), stamp))


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 900},
                              bypass_csp=True)
    yield ctx
    ctx.close()


@contextmanager
def admin_api(server: KefuServer) -> Iterator[httpx.Client]:
    """The console's API, signed in as the admin."""
    with httpx.Client(base_url=server.base_url, trust_env=False, timeout=30) as client:
        token = client.get("/console/api/login-token").json()["csrf"]
        res = client.post("/console/api/login", headers={"X-CSRF-Token": token},
                          json={"username": "root", "password": PASSWORD})
        assert res.status_code == 200, res.text
        yield client


def wait_for_kb(server: KefuServer) -> None:
    """Until the server has indexed the planted page (it looks every 30 s)."""
    with admin_api(server) as api:
        deadline = time.monotonic() + KB_READY_S
        while time.monotonic() < deadline:
            found = api.get("/console/api/knowledge", params={"q": f"{kb_word(1)} voucher"})
            assert found.status_code == 200, found.text
            if any("XSS01" in p["text"] for p in found.json()["passages"]):
                return
            time.sleep(2)
    pytest.fail(f"the server did not index the planted page within {KB_READY_S:.0f}s")


def test_the_storefront_and_console_send_a_content_security_policy(
        kefu_server: KefuServer) -> None:
    for path in ("/", "/console"):
        res = httpx.get(kefu_server.base_url + path, trust_env=False)
        assert res.status_code == 200
        policy = res.headers.get("content-security-policy", "")
        directives = dict([*d.strip().split(" ", 1), ""][:2] for d in policy.split(";")
                          if d.strip())
        assert "'self'" in directives.get("script-src", ""), (path, policy)
        assert "unsafe-inline" not in directives["script-src"], (path, policy)
        assert "unsafe-eval" not in directives["script-src"], (path, policy)
        assert directives.get("default-src") == "'self'", (path, policy)
        assert directives.get("base-uri") == "'none'", (path, policy)
        assert res.headers.get("x-content-type-options") == "nosniff"


def test_what_a_customer_writes_is_shown_as_text_in_the_widget(
        planted: KefuServer, context: BrowserContext) -> None:
    page = context.new_page()
    seen = watch(page, planted.base_url)
    errors = open_widget(page, planted.base_url)
    for payload in PAYLOADS:
        asked, _ = ask(page, payload, press_enter=True)
        assert asked == payload  # stored and shown exactly as written
    poke(page, ".kefu-msg")
    page.locator(".kefu-msg.kefu-user").last.click()
    assert_inert(page, seen, PAYLOADS)
    page.reload()  # the history, fetched from the server, is text too
    expect(page.locator(".kefu-msg.kefu-user")).to_have_count(len(PAYLOADS))
    assert_inert(page, seen, PAYLOADS)
    assert [e for e in errors if "favicon" not in e] == []


def test_planted_knowledge_and_catalogue_stay_text(
        planted: KefuServer, context: BrowserContext) -> None:
    wait_for_kb(planted)
    page = context.new_page()
    seen = watch(page, planted.base_url)
    errors = open_widget(page, planted.base_url)
    card = page.locator(".card[data-product-id]").first
    expect(card).to_contain_text("XSS17")  # the planted name, on the storefront
    answers = []
    for i in range(1, len(PAYLOADS) + 1):
        _, reply = ask(page, f"How do I use a {kb_word(i)} voucher?", press_enter=True)
        answers.append(reply)
    poke(page, ".kefu-msg, .card")
    assert_inert(page, seen, [PRODUCT_PAYLOAD])
    # kefu drops retrieved text that reads as markup or instructions (kefu.dialogue.act
    # planted()); the entry without markup (the template one) is answered, as text
    answered = [m for reply in answers for m in re.findall(r"XSS\d\d", reply)]
    assert answered, f"no planted entry reached an answer: {answers}"
    for reply in answers:
        assert not re.search(r"<\s*(script|img|svg|iframe|object|link|input|a)\b", reply), reply
    assert [e for e in errors if "favicon" not in e] == []


@dataclass
class Held:
    conv_id: str
    token: str


def payload_conversation(server: KefuServer) -> Held:
    """A widget conversation full of payloads that then asks for a person."""
    with httpx.Client(base_url=server.base_url, trust_env=False, timeout=30) as api:
        made = api.post("/v1/conversations", json={"channel": "widget"}).json()
        auth = {"X-Conversation-Token": made["token"]}
        for text in (*PAYLOADS, "I want to talk to a human agent, please"):
            res = api.post(f"/v1/conversations/{made['id']}/messages", headers=auth,
                           json={"text": text})
            assert res.status_code == 200, res.text
        assert res.json()["status"] == "handoff"
    return Held(made["id"], made["token"])


def test_the_console_shows_payloads_as_text_and_the_customer_sees_the_agents_as_text(
        planted: KefuServer, context: BrowserContext, browser: Browser) -> None:
    wait_for_kb(planted)
    held = payload_conversation(planted)
    shopper = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 860},
                                  bypass_csp=True)
    try:
        stored = json.dumps({"id": held.conv_id, "token": held.token})
        shopper.add_init_script(
            f"localStorage.setItem('kefu.conversation', {json.dumps(stored)})")
        customer = shopper.new_page()
        customer_seen = watch(customer, planted.base_url)
        open_widget(customer, planted.base_url)
        expect(customer.locator(".kefu-msg.kefu-user")).to_have_count(len(PAYLOADS) + 1)
        assert_inert(customer, customer_seen, PAYLOADS)

        agent = context.new_page()
        agent_seen = watch(agent, planted.base_url)
        sign_in(agent, planted.base_url, "alice")
        row = agent.locator(f"[data-testid=inbox-item][data-id='{held.conv_id}']")
        expect(row).to_have_attribute("data-status", "handoff", timeout=LIVE_MS)
        row.click()
        pane = agent.get_by_test_id("conversation")
        expect(pane).to_have_attribute("data-id", held.conv_id)
        expect(pane.get_by_test_id("message").filter(has_text=PAYLOADS[-1])).to_have_count(1)
        agent.get_by_test_id("take").click()
        expect(pane).to_have_attribute("data-held", "me", timeout=LIVE_MS)
        poke(agent, "[data-testid=message-text]")
        assert_inert(agent, agent_seen, PAYLOADS)

        for said in (PAYLOADS[1], PAYLOADS[6], PAYLOADS[8]):  # the agent's turn to try
            agent.get_by_test_id("reply-input").fill(said)
            agent.get_by_test_id("reply-send").click()
            marker = re.search(r"XSS\d\d", said).group(0)  # type: ignore[union-attr]
            expect(customer.locator(".kefu-msg.kefu-agent").filter(has_text=marker)
                   ).to_have_count(1, timeout=LIVE_MS)
        customer.locator("#kefu-input").fill(PAYLOADS[4])  # and the customer's, live
        customer.locator("#kefu-input").press("Enter")
        expect(pane.get_by_test_id("message").filter(has_text=PAYLOADS[4])).to_have_count(
            2, timeout=LIVE_MS)
        poke(customer, ".kefu-msg")
        assert_inert(customer, customer_seen, [PAYLOADS[1], PAYLOADS[6], PAYLOADS[8]])
        assert_inert(agent, agent_seen, [PAYLOADS[1], PAYLOADS[6], PAYLOADS[8]])

        expect(agent.get_by_test_id("assist-summary")).not_to_be_empty()
        for i in range(1, len(PAYLOADS) + 1):  # the planted page, in the knowledge search
            agent.get_by_test_id("kb-query").fill(f"{kb_word(i)} voucher")
            agent.get_by_test_id("kb-search").click()
            expect(agent.get_by_test_id("kb-results")).to_contain_text(
                PAYLOADS[i - 1], timeout=LIVE_MS)
        poke(agent, "[data-testid=kb-result]")
        assert_inert(agent, agent_seen, PAYLOADS)
    finally:
        shopper.close()


def test_the_dashboard_and_gaps_show_payloads_as_text(
        planted: KefuServer, context: BrowserContext) -> None:
    with admin_api(planted) as api:
        unanswered = api.get("/console/api/analytics").json()["unanswered"]
        clusters = api.get("/console/api/gaps").json()["clusters"]
    listed = [u["text"] for u in unanswered if re.search(r"XSS\d\d", u["text"])]
    found = {m for t in listed for m in re.findall(r"XSS\d\d", t)}
    assert found >= {f"XSS{i:02d}" for i in range(1, len(PAYLOADS) + 1)}, found
    grouped = [t for c in clusters for t in (c["label"], *(e["text"] for e in c["examples"]))
               if re.search(r"XSS\d\d", t)]
    assert grouped, "no gap holds a payload"

    page = context.new_page()
    seen = watch(page, planted.base_url)
    sign_in(page, planted.base_url, "alice")
    page.get_by_test_id("nav-dashboard").click()
    expect(page.get_by_test_id("unanswered-row").filter(has_text="XSS01").first
           ).to_be_visible(timeout=LIVE_MS)
    poke(page, "[data-testid=unanswered-row]")
    assert_inert(page, seen, listed)

    page.get_by_test_id("nav-gaps").click()
    expect(page.get_by_test_id("gap").first).to_be_visible(timeout=LIVE_MS)
    poke(page, "[data-testid=gap]")
    assert_inert(page, seen, grouped)
