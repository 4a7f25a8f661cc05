"""Request dependencies: the product object and who the caller is."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from kefu.errors import Unauthorized
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
