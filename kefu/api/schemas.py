"""Request and response bodies of the /v1 API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kefu.conversations import ConversationView, MessageView


class CreateConversation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Literal["api", "widget", "cli"] = "api"
    language: Literal["en", "zh"] | None = None
    client_ref: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="A stable id of the browser or client (the widget's), so an experiment "
        "shows a returning visitor the same variant.")


class PostMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., description="What the customer wrote.", max_length=100_000)


class MessageOut(BaseModel):
    seq: int
    role: str
    text: str
    language: str | None
    intent: str | None
    confidence: float | None
    created_at: datetime
    citations: list[str] = []
    agent_name: str | None = Field(None, description="Who wrote it, for an agent's message.")
    feedback: Literal["up", "down"] | None = Field(
        None, description="The customer's thumbs on an assistant reply.")

    @classmethod
    def of(cls, m: MessageView) -> MessageOut:
        return cls(seq=m.seq, role=m.role, text=m.text, language=m.language, intent=m.intent,
                   confidence=m.confidence, created_at=m.created_at, citations=list(m.citations),
                   agent_name=m.agent_name,
                   feedback=m.feedback if m.feedback in ("up", "down") else None)


class ConversationOut(BaseModel):
    id: str
    language: str | None
    status: str
    messages: list[MessageOut]
    token: str | None = Field(None, description="Only at creation: proves ownership later.")
    csat: int | None = Field(None, description="The customer's rating of it, 1 to 5.")

    @classmethod
    def of(cls, c: ConversationView) -> ConversationOut:
        return cls(id=c.id, language=c.language, status=c.status, token=c.token,
                   messages=[MessageOut.of(m) for m in c.messages], csat=c.csat)


class TurnOut(BaseModel):
    message: MessageOut
    reply: MessageOut | None = Field(
        ..., description="None while a person holds the conversation (they answer).")
    status: str


class Rating(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: Literal["up", "down"]


class Csat(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: int = Field(..., ge=1, le=5)
    comment: str | None = Field(None, max_length=1000)


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


class ProductCard(BaseModel):
    id: str
    name: str
    name_zh: str | None
    category: str | None
    price_from: float
    currency: str
    in_stock: bool


class CatalogOut(BaseModel):
    products: list[ProductCard]
