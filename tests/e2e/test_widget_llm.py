"""The widget on `kefu serve` with the embedded chat model (what `make run` starts): a
knowledge question is answered by the model, streamed into the page, with its source."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from kefu.llm.model_files import bundled_model
from kefu.privacy.crypto import KEYRING
from kefu.settings import Settings
from tests.e2e.conftest import CHROMIUM
from tests.e2e.test_widget import DONE, ask, context, open_widget
from tests.processes import KefuServer, kefu_serve, must_run_kefu

__all__ = ["context"]  # the browser-context fixture, shared with the template tests


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KefuServer]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}; the browser tests need it")
    gguf = bundled_model(Settings().cache_dir)
    data_dir = tmp_path_factory.mktemp("kefu-llm")
    must_run_kefu("db", "upgrade", data_dir=data_dir)
    must_run_kefu("demo", data_dir=data_dir)
    with kefu_serve(data_dir, KEFU_LLM="embedded", KEFU_LLM_MODEL_PATH=str(gguf)) as server:
        yield server


@pytest.mark.parametrize("context", ["en-US"], indirect=True)
def test_a_generated_answer_streams_into_the_widget_with_its_source(
    llm_server: KefuServer, context: BrowserContext, tmp_path: Path
) -> None:
    page = context.new_page()
    errors = open_widget(page, llm_server.base_url)
    _, reply = ask(page, "How long does standard delivery take?", press_enter=True)
    expect(page.locator(DONE).last.locator(".kefu-cite").first).to_have_text(
        re.compile(r"^en/.+\.md#"))
    with closing(sqlite3.connect(llm_server.db_path)) as db:
        made = [json.loads(p) for (p,) in db.execute(
            "SELECT payload FROM events WHERE kind = 'generation'")]
        stored = KEYRING.decrypt(db.execute(  # message texts are encrypted at rest
            "SELECT text FROM messages WHERE role = 'assistant' ORDER BY rowid DESC LIMIT 1"
        ).fetchone()[0])
    assert made and made[-1]["source"] == "llm", made
    assert reply.startswith(stored.split("\n\n")[0][:40])  # the page shows the stored answer
    page.screenshot(path=str(tmp_path / "widget-llm.png"))
    assert errors == []
