"""Request dependencies: the product object and who the caller is."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from kefu.errors import RateLimited, Unauthorized
from kefu.security import token_hash
from kefu.service import Kefu


def get_kefu(request: Request) -> Kefu:
    kefu: Kefu = request.app.state.kefu
    return kefu


KefuDep = Annotated[Kefu, Depends(get_kefu)]


def api_key_of(x_api_key: str | None, authorization: str | None) -> str | None:
    if x_api_key:
        return x_api_key
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def is_server_client(
    kefu: KefuDep,
    x_api_key: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> bool:
    """True for a caller with a valid API key; a wrong key is refused outright."""
    key = api_key_of(x_api_key, authorization)
    if key is None:
        return False
    if not kefu.api_key_valid(key):
        raise Unauthorized("the API key is not valid")
    return True


ServerClient = Annotated[bool, Depends(is_server_client)]


def conversation_access(
    conversation_id: str,
    kefu: KefuDep,
    server: ServerClient,
    x_conversation_token: Annotated[str | None, Header()] = None,
) -> str:
    """The conversation id, once the caller proved it may use it (API key or its token)."""
    if not server:
        kefu.conversations.authorize(conversation_id, x_conversation_token)
    return conversation_id


ConversationId = Annotated[str, Depends(conversation_access)]

WINDOW_S = 60


def rate_limited(
    request: Request,
    kefu: KefuDep,
    x_api_key: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    """Every write to /v1 counts against its API key (when it has one) or else its address;
    past the limit of the minute: 429 with Retry-After. Reads are not counted."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    settings = kefu.settings
    key = api_key_of(x_api_key, authorization)
    if key is not None:
        bucket, limit = f"key:{token_hash(settings.secret_key, key)[:32]}", settings.rate_per_key
    else:
        ip = request.client.host if request.client else "unknown"
        bucket, limit = f"ip:{ip}", settings.rate_per_ip
    if limit <= 0:
        return
    verdict = kefu.limiter.hit(bucket, limit, WINDOW_S)
    if not verdict.allowed:
        raise RateLimited("too many requests; slow down", verdict.retry_after_s)
