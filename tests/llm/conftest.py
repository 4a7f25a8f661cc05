"""The real chat model for the generation tests: the bundled GGUF, loaded in process
(llama-cpp-python) and served by llama-cpp-python's own OpenAI-compatible server, started
here on 127.0.0.1. Generation is slow on 2 cores, so prompts and max_tokens stay small."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kefu.llm.base import ChatModel
from kefu.llm.embedded import LlamaCppModel
from kefu.llm.model_files import bundled_model
from kefu.llm.openai_http import OpenAICompatibleModel
from kefu.settings import Settings
from tests.processes import free_port

SERVER_READY_S = 120.0


@pytest.fixture(scope="session")
def gguf() -> Path:
    return bundled_model(Settings().cache_dir)


@pytest.fixture(scope="session")
def embedded(gguf: Path) -> Iterator[LlamaCppModel]:
    model = LlamaCppModel(gguf, n_ctx=2048, threads=2)
    model.load()
    yield model
    model.close()


@dataclass
class LlmServer:
    proc: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def pause(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.resume()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(gguf: Path, log: Path) -> LlmServer:
    """`python -m llama_cpp.server` with the bundled model, ready to answer."""
    port = free_port()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host",
             "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2",
             "--model_alias", "qwen-0.5b"],
            stdout=out, stderr=subprocess.STDOUT)
    server = LlmServer(proc, f"http://127.0.0.1:{port}/v1", log)
    deadline = time.monotonic() + SERVER_READY_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{server.base_url}/models", timeout=2, trust_env=False).is_success:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    server.stop()
    pytest.fail(f"llama_cpp.server not ready in {SERVER_READY_S:.0f} s")


@pytest.fixture(scope="session")
def llm_server(gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlmServer]:
    server = start_server(gguf, tmp_path_factory.mktemp("llm") / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def served(llm_server: LlmServer) -> Iterator[OpenAICompatibleModel]:
    model = OpenAICompatibleModel(llm_server.base_url, "qwen-0.5b", timeout_s=120,
                                  first_token_timeout_s=60)
    yield model
    model.close()


@pytest.fixture(params=["embedded", "openai"])
def chat_model(request: pytest.FixtureRequest) -> ChatModel:
    """The conformance suite's subject: each implementation in turn."""
    name = "embedded" if request.param == "embedded" else "served"
    model: ChatModel = request.getfixturevalue(name)
    return model
