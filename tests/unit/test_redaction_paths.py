"""Where redaction is applied: prompts to a remote model (placeholders out, originals back in
the stream, even split across pieces), log records (message and traceback), outbound replies
(no markup, images or outside links)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from kefu.guard.outbound import REMOVED, sanitize
from kefu.llm.base import ChatMessage
from kefu.llm.redacting import RedactingModel
from kefu.privacy.logs import install


class Echo:
    """A model double that records what it was sent and answers with a placeholder it saw,
    cut into small pieces."""

    name = "echo"

    def __init__(self) -> None:
        self.sent: list[ChatMessage] = []

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int,
               temperature: float = 0.0, stop: Sequence[str] = (),
               json_schema: dict[str, Any] | None = None,
               cancel: threading.Event | None = None) -> Iterator[str]:
        self.sent = list(messages)
        answer = "We will email [EMAIL_1] and call [PHONE_1] today."
        for i in range(0, len(answer), 3):
            yield answer[i:i + 3]

    def close(self) -> None:
        pass


def test_a_remote_model_never_sees_personal_data_and_the_reply_gets_it_back() -> None:
    inner = Echo()
    model = RedactingModel(inner)
    messages: list[ChatMessage] = [
        {"role": "system", "content": "Answer from the facts."},
        {"role": "user", "content": "I'm at mia.miller@example.com, phone 13800138000."}]
    out = "".join(model.stream(messages, max_tokens=20))
    sent = " ".join(m["content"] for m in inner.sent)
    assert "mia.miller@example.com" not in sent and "13800138000" not in sent
    assert "[EMAIL_1]" in sent and "[PHONE_1]" in sent
    assert out == "We will email mia.miller@example.com and call 13800138000 today."


def test_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    install()
    log = logging.getLogger("kefu.test")
    with caplog.at_level(logging.INFO, logger="kefu.test"):
        log.info("customer %s wrote from %s", "noah@example.com", "+86 138 0013 8000")
        try:
            raise ValueError("card 4111 1111 1111 1111 refused")
        except ValueError:
            log.exception("failed for wang.fang@example.com")
    text = caplog.text + "".join(r.exc_text or "" for r in caplog.records)
    assert "noah@example.com" not in text and "138 0013 8000" not in text
    assert "4111 1111 1111 1111" not in text and "wang.fang@example.com" not in text
    assert "[EMAIL_1]" in text and "ValueError" in text


@pytest.mark.parametrize("reply, expected", [
    ("See ![x](http://evil.example/p.png) now", "See x now"),
    ("Go [here](http://evil.example/x)", "Go here"),
    ("<img src=x onerror=alert(1)>Hi<script>alert(2)</script>", "Hialert(2)"),
    ("javascript:alert(1) or data:text/html,xx", f"{REMOVED} or {REMOVED}"),
    ("Returns: https://shop.example/returns", "Returns: https://shop.example/returns"),
    ("Visit https://evil.example/x", f"Visit {REMOVED}"),
    ("订单KF20267187已发货，运费12美元。", "订单KF20267187已发货，运费12美元。"),
    ("<<script>script>alert(1)<</script>/script>", "alert(1)"),  # nested: found by a review
    ('<iframe srcdoc="<script>parent.x=1</script>"></iframe>ok', "ok"),
    ("2 < 3 and 5 > 4", "2 ‹ 3 and 5 › 4"),
])
def test_replies_are_plain_text_with_only_the_shops_links(reply: str, expected: str) -> None:
    assert sanitize(reply, ["shop.example"]) == expected


def test_log_arguments_that_are_not_strings_are_masked_too(
        caplog: pytest.LogCaptureFixture) -> None:
    install()
    with caplog.at_level(logging.INFO, logger="kefu.test"):
        logging.getLogger("kefu.test").error("%s: %s", "code",
                                             ValueError("jane.doe@example.com 13812345678"))
    assert "jane.doe@example.com" not in caplog.text and "13812345678" not in caplog.text


@pytest.mark.parametrize("reply", [
    "https://evil.com\\@shop.example/x", "[click](https://evil.com\\@shop.example/x)",
    "see //evil.com/pay", "go to www.evil.com/pay", "https://user@evil.example/x",
])
def test_links_that_browsers_read_as_another_host_are_removed(reply: str) -> None:
    assert "evil" not in sanitize(reply, ["shop.example"])
