"""The FastAPI application factory."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from kefu import __version__
from kefu.api import errors
from kefu.api.console import console, pages
from kefu.api.routes import site, v1
from kefu.metrics import HTTP
from kefu.privacy.logs import install as install_log_masking
from kefu.service import Kefu
from kefu.settings import Settings, get_settings
from kefu.web import STATIC_DIR

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
                   Awaitable[None]]
MAX_BODY_BYTES = 256 * 1024


def create_app(settings: Settings | None = None, kefu: Kefu | None = None) -> FastAPI:
    """The app over ``kefu`` (or one built from ``settings``, read from the environment)."""
    settings = kefu.settings if kefu else settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_log_masking()
        product = kefu or Kefu.from_settings(settings)
        product.warm()
        app.state.kefu = product
        job = product.retention() if product.settings.retention_every_s > 0 else None
        if job is not None:
            job.start()
        yield
        if job is not None:
            job.stop()
        if kefu is None:
            product.close()

    app = FastAPI(title="kefu", version=__version__, lifespan=lifespan,
                  description="Customer-service agent API for online shops.")
    errors.install(app)
    app.include_router(v1)
    app.include_router(console)
    app.include_router(site)
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "X-Conversation-Token"],
        )
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(Timed)
    return app


class Timed:
    """Counts and times each request by its route's template (not its path: ids would make
    a metric per conversation) for /metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        code = [500]

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                code[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            HTTP.labels(scope.get("method", ""), path, str(code[0])).observe(
                time.perf_counter() - started)


class BodyLimit:
    """Refuses a request body larger than ``max_bytes`` (413): at once when its Content-Length
    says so, else as soon as the bytes received pass the limit (chunked uploads)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            length = dict(scope.get("headers", [])).get(b"content-length")
            if length and length.isdigit() and int(length) > self.max_bytes:
                response = errors.error_response(
                    413, "too_large", f"the request body is over {self.max_bytes} bytes"
                )
                await response(scope, receive, send)
                return
            receive = self._counting(receive)
        await self.app(scope, receive, send)

    def _counting(self, receive: Any) -> Any:
        received = 0

        async def limited() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, f"the request body is over {self.max_bytes} bytes")
            return message

        return limited
