"""Any OpenAI-compatible chat server (vLLM, SGLang, llama.cpp's server, Ollama, hosted APIs),
streamed over server-sent events with httpx.

A request that fails before its first piece (connection refused, a timeout, HTTP 429 or 5xx)
is retried ``retries`` times with exponential backoff; once pieces have been yielded a failure
is not retried (the caller has already shown them) and surfaces as ``ModelUnavailable``.
Concurrency is capped by a semaphore so a burst of turns queues here, not on the server.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any, Literal

import httpx

from kefu.llm.base import ChatMessage, ModelUnavailable

JsonMode = Literal["json_object", "json_schema"]
_RETRYABLE = {408, 409, 425, 429, 500, 502, 503, 504}


class OpenAICompatibleModel:
    def __init__(self, base_url: str, model: str, api_key: str | None = None, *,
                 timeout_s: float = 30.0, first_token_timeout_s: float = 15.0,
                 connect_timeout_s: float = 3.0, retries: int = 2, backoff_s: float = 0.3,
                 concurrency: int = 4, queue_timeout_s: float = 10.0,
                 json_mode: JsonMode = "json_object", seed: int | None = 7,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.name = model
        self.timeout_s = timeout_s
        self.first_token_timeout_s = first_token_timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.queue_timeout_s = queue_timeout_s
        self.json_mode: JsonMode = json_mode
        self.seed = seed
        self._slots = threading.BoundedSemaphore(concurrency)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            headers=headers, transport=transport,
            timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s,
                                  read=first_token_timeout_s))

    def _body(self, messages: Sequence[ChatMessage], max_tokens: int, temperature: float,
              stop: Sequence[str], json_schema: dict[str, Any] | None) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.name, "messages": list(messages),
                                "max_tokens": max_tokens, "temperature": temperature,
                                "stream": True}
        if stop:
            body["stop"] = list(stop)
        if self.seed is not None:
            body["seed"] = self.seed
        if json_schema is not None:
            if self.json_mode == "json_schema":
                body["response_format"] = {"type": "json_schema", "json_schema": {
                    "name": "answer", "schema": json_schema, "strict": True}}
            else:  # llama.cpp's server: json_object with a schema (json_schema gives a 500)
                body["response_format"] = {"type": "json_object", "schema": json_schema}
        return body

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int,
               temperature: float = 0.0, stop: Sequence[str] = (),
               json_schema: dict[str, Any] | None = None,
               cancel: threading.Event | None = None) -> Iterator[str]:
        if not self._slots.acquire(timeout=self.queue_timeout_s):
            raise ModelUnavailable(f"every model slot stayed busy for {self.queue_timeout_s:g} s")
        try:
            body = self._body(messages, max_tokens, temperature, stop, json_schema)
            deadline = time.monotonic() + self.timeout_s
            attempt = 0
            while True:
                yielded = False
                try:
                    for piece in self._once(body, deadline, cancel):
                        yielded = True
                        yield piece
                    return
                except _Retryable as exc:
                    attempt += 1
                    if yielded or attempt > self.retries or time.monotonic() >= deadline:
                        raise ModelUnavailable(str(exc)) from exc
                    time.sleep(min(self.backoff_s * 2 ** (attempt - 1),
                                   max(0.0, deadline - time.monotonic())))
        finally:
            self._slots.release()

    def _once(self, body: dict[str, Any], deadline: float,
              cancel: threading.Event | None) -> Iterator[str]:
        url = f"{self.base_url}/chat/completions"
        try:
            with self._client.stream("POST", url, json=body) as response:
                if response.status_code != 200:
                    detail = response.read()[:300].decode(errors="replace")
                    message = f"the model server answered HTTP {response.status_code}: {detail}"
                    if response.status_code in _RETRYABLE:
                        raise _Retryable(message)
                    raise ModelUnavailable(message)
                for line in response.iter_lines():
                    if cancel is not None and cancel.is_set():
                        return
                    if time.monotonic() > deadline:
                        raise ModelUnavailable(
                            f"no complete answer within {self.timeout_s:g} s")
                    piece = _piece(line)
                    if piece is None:
                        return
                    if piece:
                        yield piece
        except httpx.TransportError as exc:  # refused, reset, timed out
            raise _Retryable(f"the model server at {self.base_url} failed: "
                             f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        self._client.close()


class _Retryable(Exception):
    pass


def _piece(line: str) -> str | None:
    """The text of one SSE line ('' for none); None at the end of the stream."""
    if not line.startswith("data:"):
        return ""
    data = line[5:].strip()
    if data == "[DONE]":
        return None
    try:
        event = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ModelUnavailable(f"the model server sent a malformed event: {data[:200]}") from exc
    if "error" in event:
        raise ModelUnavailable(f"the model server reported an error: {event['error']}")
    choices = event.get("choices") or [{}]
    return (choices[0].get("delta") or {}).get("content") or ""
