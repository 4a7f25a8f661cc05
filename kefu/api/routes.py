"""The /v1 routes, health checks and the storefront page."""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import FileResponse, StreamingResponse

from kefu.api.deps import ConversationId, KefuDep, ServerClient, rate_limited
from kefu.api.live import sse
from kefu.api.schemas import (
    CatalogOut,
    ConversationOut,
    CreateConversation,
    Csat,
    ErrorOut,
    MessageOut,
    PostMessage,
    ProductCard,
    Rating,
    TurnOut,
)
from kefu.console.feedback import rate_conversation, rate_message
from kefu.conversations import HeldTurn, MessageView, PendingTurn
from kefu.errors import KefuError, StorageUnavailable, Unauthorized
from kefu.web import STATIC_DIR

v1 = APIRouter(prefix="/v1", dependencies=[Depends(rate_limited)], responses={
    400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 404: {"model": ErrorOut},
    409: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut},
    429: {"model": ErrorOut}, 503: {"model": ErrorOut},
})
site = APIRouter()
log = logging.getLogger("kefu.api")


@v1.post("/conversations", status_code=status.HTTP_201_CREATED)
def create_conversation(
    kefu: KefuDep, server: ServerClient, body: CreateConversation | None = None
) -> ConversationOut:
    """Open a conversation. The returned token proves ownership on later calls."""
    if not server and not kefu.settings.public_widget:
        raise Unauthorized("an API key is required to open a conversation")
    body = body or CreateConversation()
    return ConversationOut.of(kefu.conversations.create(body.channel, body.language,
                                                        body.client_ref))


@v1.get("/conversations/{conversation_id}")
def get_conversation(conversation_id: ConversationId, kefu: KefuDep) -> ConversationOut:
    """The conversation with its messages, oldest first."""
    return ConversationOut.of(kefu.conversations.history(conversation_id))


@v1.post("/conversations/{conversation_id}/messages")
def post_message(conversation_id: ConversationId, body: PostMessage, kefu: KefuDep) -> TurnOut:
    """Post the customer's message and get the assistant's reply (one turn)."""
    turn = kefu.conversations.post(conversation_id, body.text)
    return TurnOut(message=MessageOut.of(turn.message),
                   reply=MessageOut.of(turn.reply) if turn.reply else None, status=turn.status)


@v1.post(
    "/conversations/{conversation_id}/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}},
                     "description": "Server-sent events: message, delta…, reset?, done"}},
)
def stream_message(
    conversation_id: ConversationId, body: PostMessage, kefu: KefuDep
) -> StreamingResponse:
    """Like /messages, with the reply streamed as server-sent events as it is generated.

    Events: ``message`` (the customer message as stored), ``delta`` ({"text": piece}, several),
    ``reset`` (discard the pieces shown so far: a generated sentence failed verification and a
    corrected answer follows), ``done`` (the stored reply: what the conversation keeps), or
    ``error`` ({"error": {code, message}}) if the turn could not be stored. A client that
    disconnects stops the generation; the turn is still stored, so the history is whole.
    While a person holds the conversation there is no reply: ``message``, then ``done`` {}.
    """
    pending = kefu.conversations.start(conversation_id, body.text)
    return StreamingResponse(
        _relay(pending), media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _relay(pending: PendingTurn | HeldTurn) -> AsyncIterator[str]:
    """Runs the turn in its own thread (generation blocks) and relays its events; when the
    client goes away, the cancel flag stops the generation and the thread stores the turn."""
    events: queue.Queue[tuple[str, str] | None] = queue.Queue()
    cancel = threading.Event()

    def produce() -> None:
        try:
            for name, value in pending.events(cancel):
                if isinstance(value, MessageView):
                    data = MessageOut.of(value).model_dump_json()
                elif name == "delta":
                    data = json.dumps({"text": value}, ensure_ascii=False)
                else:
                    data = "{}"
                events.put((name, data))
        except KefuError as exc:
            events.put(("error", json.dumps(
                {"error": {"code": exc.code, "message": str(exc)}}, ensure_ascii=False)))
        except Exception:
            log.exception("a streamed turn failed")
            events.put(("error", json.dumps(
                {"error": {"code": "internal", "message": "the reply could not be made"}})))
        finally:
            events.put(None)

    threading.Thread(target=produce, name="kefu-turn", daemon=True).start()
    try:
        while (item := await anyio.to_thread.run_sync(events.get)) is not None:
            yield _frame(*item)
    finally:
        cancel.set()


def _frame(event: str, data: str) -> str:
    return f"event: {event}\ndata: {data}\n\n"


@v1.get(
    "/conversations/{conversation_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}},
                     "description": "Server-sent events: message…, status…"}},
)
def conversation_events(
    conversation_id: ConversationId, request: Request, kefu: KefuDep,
    after: Annotated[int, Query(ge=0)] = 0,
) -> StreamingResponse:
    """What happens in the conversation after message ``after``, live: ``message`` for each
    new message (an agent's reply has ``role`` agent and ``agent_name``), and ``status``
    ({"status", "agent_name"}) when a person takes the conversation over or hands it back."""
    seen: dict[str, Any] = {"seq": after, "status": None, "agent": None}
    kefu.conversations.after(conversation_id, after)  # 404 before the stream starts

    def check() -> list[tuple[str, Any]]:
        rows, state, agent = kefu.conversations.after(conversation_id, seen["seq"])
        events: list[tuple[str, Any]] = [
            ("message", MessageOut.of(m).model_dump(mode="json")) for m in rows]
        if rows:
            seen["seq"] = rows[-1].seq
        if (state, agent) != (seen["status"], seen["agent"]):
            seen["status"], seen["agent"] = state, agent
            events.append(("status", {"status": state, "agent_name": agent}))
        return events

    return sse(request, check, interval_s=0.5)


@v1.post("/conversations/{conversation_id}/messages/{seq}/feedback")
def message_feedback(conversation_id: ConversationId, seq: int, body: Rating,
                     kefu: KefuDep) -> dict[str, str]:
    """Thumbs up or down on one of the assistant's replies (a second one replaces it)."""
    rate_message(kefu.factory, conversation_id, seq, body.rating)
    return {}


@v1.post("/conversations/{conversation_id}/csat")
def conversation_csat(conversation_id: ConversationId, body: Csat,
                      kefu: KefuDep) -> dict[str, str]:
    """How satisfied the customer is with the conversation, 1 to 5 (a second one replaces
    it)."""
    rate_conversation(kefu.factory, conversation_id, body.score, body.comment)
    return {}


@v1.get("/catalog/products")
def catalog(kefu: KefuDep, limit: Annotated[int, Query(ge=1, le=200)] = 24) -> CatalogOut:
    """Products for the storefront page."""
    currency = kefu.settings.currency
    return CatalogOut(products=[
        ProductCard(id=p.id, name=p.name, name_zh=p.name_zh, category=p.category,
                    price_from=p.price_from_cents / 100, currency=currency, in_stock=p.in_stock)
        for p in kefu.catalog(limit)
    ])


@site.get("/healthz", tags=["ops"])
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@site.get("/readyz", tags=["ops"])
def readyz(kefu: KefuDep) -> dict[str, str]:
    """The database answers and its schema is in place."""
    checks = kefu.readiness()
    if checks["schema"] != "ok":
        raise StorageUnavailable("the database schema is missing: run `kefu db upgrade`")
    return {"status": "ok", **checks}


# The storefront and widget load nothing but kefu's own files: no inline script, no CDN.
STOREFRONT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
)


@site.get("/", include_in_schema=False)
def storefront() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", headers={
        "Content-Security-Policy": STOREFRONT_CSP, "X-Content-Type-Options": "nosniff",
    })
