"""The /v1 routes, health checks and the storefront page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import FileResponse, StreamingResponse

from kefu.api.deps import ConversationId, KefuDep, ServerClient
from kefu.api.schemas import (
    CatalogOut,
    ConversationOut,
    CreateConversation,
    ErrorOut,
    MessageOut,
    PostMessage,
    ProductCard,
    TurnOut,
)
from kefu.errors import StorageUnavailable, Unauthorized
from kefu.web import STATIC_DIR

v1 = APIRouter(prefix="/v1", responses={
    400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 404: {"model": ErrorOut},
    409: {"model": ErrorOut}, 413: {"model": ErrorOut}, 503: {"model": ErrorOut},
})
site = APIRouter()


@v1.post("/conversations", status_code=status.HTTP_201_CREATED)
def create_conversation(
    kefu: KefuDep, server: ServerClient, body: CreateConversation | None = None
) -> ConversationOut:
    """Open a conversation. The returned token proves ownership on later calls."""
    if not server and not kefu.settings.public_widget:
        raise Unauthorized("an API key is required to open a conversation")
    body = body or CreateConversation()
    return ConversationOut.of(kefu.conversations.create(body.channel, body.language))


@v1.get("/conversations/{conversation_id}")
def get_conversation(conversation_id: ConversationId, kefu: KefuDep) -> ConversationOut:
    """The conversation with its messages, oldest first."""
    return ConversationOut.of(kefu.conversations.history(conversation_id))


@v1.post("/conversations/{conversation_id}/messages")
def post_message(conversation_id: ConversationId, body: PostMessage, kefu: KefuDep) -> TurnOut:
    """Post the customer's message and get the assistant's reply (one turn)."""
    turn = kefu.conversations.post(conversation_id, body.text)
    return TurnOut(message=MessageOut.of(turn.message), reply=MessageOut.of(turn.reply),
                   status=turn.status)


@v1.post(
    "/conversations/{conversation_id}/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}},
                     "description": "Server-sent events: message, delta…, done"}},
)
def stream_message(
    conversation_id: ConversationId, body: PostMessage, kefu: KefuDep
) -> StreamingResponse:
    """Like /messages, with the reply streamed as server-sent events.

    Events: ``message`` (the stored customer message), ``delta`` ({"text": chunk}, several),
    ``done`` (the stored reply). The turn is persisted before streaming starts, so a client
    that disconnects finds the reply in the history.
    """
    turn = kefu.conversations.post(conversation_id, body.text)
    return StreamingResponse(
        _sse(MessageOut.of(turn.message), MessageOut.of(turn.reply)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _sse(message: MessageOut, reply: MessageOut) -> Iterator[str]:
    yield _frame("message", message.model_dump_json())
    for chunk in chunks(reply.text):
        yield _frame("delta", json.dumps({"text": chunk}, ensure_ascii=False))
    yield _frame("done", reply.model_dump_json())


def chunks(text: str, size: int = 16) -> Iterator[str]:
    """The reply in small pieces, cut after spaces where possible (whole CJK characters)."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        space = text.rfind(" ", start + 1, end + 1) if end < len(text) else -1
        end = space + 1 if space > start else end
        yield text[start:end]
        start = end


def _frame(event: str, data: str) -> str:
    return f"event: {event}\ndata: {data}\n\n"


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
