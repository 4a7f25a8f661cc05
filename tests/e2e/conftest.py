"""Browser-test fixtures: a real ``kefu serve`` over the demo shop, and a headless Chromium.

The server runs as a subprocess exactly as an operator would start it: ``kefu db upgrade``,
``kefu demo``, then ``kefu serve`` on a free port, all against a fresh temporary data dir.
Chromium is Debian's (/usr/bin/chromium); nothing is downloaded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 60.0
SETUP_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class KefuServer:
    base_url: str
    data_dir: Path

    @property
    def db_path(self) -> Path:
        return self.data_dir / "kefu.sqlite3"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _kefu_env(data_dir: Path) -> dict[str, str]:
    """The caller's environment minus any KEFU_* setting, plus the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_")}
    env["KEFU_DATA_DIR"] = str(data_dir)
    env["KEFU_ENV"] = "test"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def _kefu(args: list[str], data_dir: Path, env: dict[str, str]) -> None:
    """Runs one ``kefu`` command to completion; a failure fails the test with its output."""
    # cwd is the data dir, so a developer's ./.env cannot leak into the run
    result = subprocess.run(
        [sys.executable, "-m", "kefu", *args],
        cwd=data_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`kefu {' '.join(args)}` exited with {result.returncode}\n"
            f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
        )


def _tail(path: Path, limit: int = 6000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-limit:] if path.exists() else ""


def _wait_ready(proc: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    last = "no answer yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"`kefu serve` exited with {proc.returncode}:\n{_tail(log_path)}")
        try:
            response = httpx.get(f"{base_url}/readyz", timeout=2.0, trust_env=False)
        except httpx.TransportError as exc:
            last = repr(exc)
        else:
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:300]}"
        time.sleep(0.25)
    pytest.fail(
        f"`kefu serve` was not ready within {READY_TIMEOUT_S:.0f}s (last /readyz: {last}):\n"
        f"{_tail(log_path)}"
    )


@pytest.fixture(scope="module")
def kefu_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KefuServer]:
    """A running kefu over a freshly seeded demo shop; stopped when the module's tests end."""
    if not CHROMIUM.exists():  # do not pay for a server the browser tests cannot use
        pytest.skip(f"Chromium is not installed at {CHROMIUM}; the browser tests need it")
    data_dir = tmp_path_factory.mktemp("kefu-data")
    env = _kefu_env(data_dir)
    _kefu(["db", "upgrade"], data_dir, env)
    _kefu(["demo"], data_dir, env)

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = data_dir / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kefu", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=data_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(proc, base_url, log_path)
            yield KefuServer(base_url=base_url, data_dir=data_dir)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


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
