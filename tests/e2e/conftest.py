"""Browser-test fixtures: a real ``kefu serve`` over the demo shop, and a headless Chromium.

The server runs as a subprocess exactly as an operator would start it: ``kefu db upgrade``,
``kefu demo``, then ``kefu serve`` on a free port, all against a fresh temporary data dir.
Chromium is Debian's (/usr/bin/chromium); nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.processes import KefuServer, kefu_serve, must_run_kefu

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def kefu_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KefuServer]:
    """A running kefu over a freshly seeded demo shop; stopped when the module's tests end."""
    if not CHROMIUM.exists():  # do not pay for a server the browser tests cannot use
        pytest.skip(f"Chromium is not installed at {CHROMIUM}; the browser tests need it")
    data_dir = tmp_path_factory.mktemp("kefu-data")
    must_run_kefu("db", "upgrade", data_dir=data_dir)
    must_run_kefu("demo", data_dir=data_dir)
    with kefu_serve(data_dir) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, driven by Playwright."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}; the browser tests need it")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
