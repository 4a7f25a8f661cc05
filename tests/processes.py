"""Run kefu as an operator does: `kefu …` commands and a `kefu serve` process, in a temp dir.

The environment drops every inherited KEFU_* variable and the working directory is the data
dir, so a developer's own settings or ./.env never leak into a test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 60.0
COMMAND_TIMEOUT_S = 600.0


def kefu_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """The environment of a kefu process: no inherited KEFU_* settings, and template answers
    (KEFU_LLM=none) unless a test asks for a chat model."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_")}
    env.update({"KEFU_DATA_DIR": str(data_dir), "KEFU_ENV": "dev", "KEFU_LLM": "none",
                **overrides})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def run_kefu(*args: str, data_dir: Path, stdin: str | None = None,
             **env: str) -> subprocess.CompletedProcess[str]:
    """One `kefu` command to completion, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "kefu", *args], cwd=data_dir, env=kefu_env(data_dir, **env),
        input=stdin, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, check=False,
    )


def must_run_kefu(*args: str, data_dir: Path, **env: str) -> str:
    """Like run_kefu; a failure fails the test with the command's output."""
    done = run_kefu(*args, data_dir=data_dir, **env)
    if done.returncode != 0:
        pytest.fail(f"`kefu {' '.join(args)}` exited with {done.returncode}\n"
                    f"stdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}")
    return done.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class KefuServer:
    base_url: str
    data_dir: Path

    @property
    def db_path(self) -> Path:
        return self.data_dir / "kefu.sqlite3"


@contextmanager
def kefu_serve(data_dir: Path, port: int | None = None, **env: str) -> Iterator[KefuServer]:
    """`kefu serve` on 127.0.0.1, ready (GET /readyz is 200) before the block runs."""
    port = port or free_port()
    server = KefuServer(f"http://127.0.0.1:{port}", data_dir)
    log_path = data_dir / "serve.log"
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kefu", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=data_dir, env=kefu_env(data_dir, **env), stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(proc, server.base_url, log_path)
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


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
    pytest.fail(f"`kefu serve` was not ready within {READY_TIMEOUT_S:.0f}s "
                f"(last /readyz: {last}):\n{_tail(log_path)}")
