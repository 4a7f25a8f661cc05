"""Prompts sent to a chat model outside the shop's machine carry no personal data: each call's
messages are redacted (kefu.privacy.pii, reversible: ``[EMAIL_1]``, ``[PHONE_1]``…) and the
placeholders the model writes back are restored in its stream before anyone sees it. A
placeholder split across two pieces of the stream is held back until it is whole.

A caller that knows whose conversation it is says so (``knowing(model, [name])``): the
customer's own name is then redacted wherever it is written, not only after a cue such as
"my name is"."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from kefu.llm.base import ChatMessage, ChatModel
from kefu.privacy.pii import redact, restore

_OPEN = re.compile(r"\[[A-Z_]*\d*$")  # a placeholder that may still be coming
_SEPARATOR = "\n\u241e\n"


class RedactingModel:
    def __init__(self, inner: ChatModel, known_names: Sequence[str] = ()) -> None:
        self.inner = inner
        self.name = inner.name
        self.known_names = tuple(known_names)

    def knowing(self, names: Sequence[str]) -> RedactingModel:
        """The same model for a call that also redacts ``names`` (a view: closing it is the
        owner's business, not the view's)."""
        return RedactingModel(self.inner, (*self.known_names, *names))

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int,
               temperature: float = 0.0, stop: Sequence[str] = (),
               json_schema: dict[str, Any] | None = None,
               cancel: threading.Event | None = None) -> Iterator[str]:
        # one redaction over the whole call, so a placeholder means one value in every message
        joined = redact(_SEPARATOR.join(m["content"] for m in messages), reversible=True,
                        known_names=self.known_names)
        mapping = joined.mapping
        contents = joined.text.split(_SEPARATOR)
        if len(contents) != len(messages):  # a span crossed a separator: redact one by one
            contents = [redact(m["content"], known_names=self.known_names).text
                        for m in messages]
        sent: list[ChatMessage] = [{"role": m["role"], "content": c}
                                   for m, c in zip(messages, contents, strict=True)]
        held = ""
        for piece in self.inner.stream(sent, max_tokens=max_tokens, temperature=temperature,
                                       stop=stop, json_schema=json_schema, cancel=cancel):
            held += piece
            cut = _OPEN.search(held)
            ready, held = (held[:cut.start()], held[cut.start():]) if cut else (held, "")
            if ready:
                yield restore(ready, mapping)
        if held:
            yield restore(held, mapping)

    def load(self) -> None:
        load = getattr(self.inner, "load", None)
        if load is not None:
            load()

    def close(self) -> None:
        self.inner.close()


def knowing(model: ChatModel, names: Sequence[str | None]) -> ChatModel:
    """``model`` for a call about the customer named ``names``: a redacting model then
    redacts those names too; any other model is returned as it is."""
    known = [n for n in names if n and n.strip()]
    return model.knowing(known) if isinstance(model, RedactingModel) and known else model
