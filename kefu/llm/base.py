"""The chat-model seam (GUIDE §2): messages in, text out as a stream of pieces.

Two implementations speak it: ``LlamaCppModel`` (llama-cpp-python in the server process) and
``OpenAICompatibleModel`` (any server with the OpenAI chat API: vLLM, SGLang, llama.cpp's
server, Ollama, hosted APIs). "No model" is not an implementation: callers hold ``None`` and
take their extractive or template path, which is also what they fall back to when a model
fails. Every failure a model can have (file missing, load error, timeout, connection refused,
a 5xx) surfaces as ``ModelUnavailable``, so a caller needs one ``except``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any, Literal, Protocol, TypedDict

from kefu.errors import RuntimeFailure

Role = Literal["system", "user", "assistant"]


class ChatMessage(TypedDict):
    role: Role
    content: str


class ModelUnavailable(RuntimeFailure):
    """The model could not answer (now): missing, failed to load, timed out, refused, 5xx."""

    code = "model_unavailable"


class ChatModel(Protocol):
    """A chat model that streams its answer.

    ``stream`` yields the answer's text in pieces as they are generated. It stops after
    ``max_tokens`` tokens, at a ``stop`` string, or as soon as ``cancel`` is set (checked
    between pieces). With ``json_schema`` the output is constrained to JSON matching it (a
    grammar in llama.cpp, ``response_format`` on a server). Raises ``ModelUnavailable`` when
    the model cannot answer, before or during the stream.
    """

    name: str

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int,
               temperature: float = 0.0, stop: Sequence[str] = (),
               json_schema: dict[str, Any] | None = None,
               cancel: threading.Event | None = None) -> Iterator[str]: ...

    def close(self) -> None: ...


def complete(model: ChatModel, messages: Sequence[ChatMessage], **kwargs: Any) -> str:
    """The whole answer at once."""
    return "".join(model.stream(messages, **kwargs))
