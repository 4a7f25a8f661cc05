"""Server-sent events made by polling the database: every worker sees every change (a message
written by another process, a takeover), with no broker to run. Each stream checks every
``interval_s`` in a worker thread, sends what changed, a comment line as a heartbeat, and ends
after ``max_s`` (the client reconnects) or when the client has gone."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from fastapi import Request
from fastapi.responses import StreamingResponse

from kefu.errors import KefuError

HEARTBEAT_S = 15.0
MAX_STREAM_S = 600.0
Check = Callable[[], list[tuple[str, Any]]]


def sse(request: Request, check: Check, interval_s: float = 1.0,
        max_s: float = MAX_STREAM_S) -> StreamingResponse:
    return StreamingResponse(
        _events(request, check, interval_s, max_s), media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _events(request: Request, check: Check, interval_s: float,
                  max_s: float) -> AsyncIterator[str]:
    started = last_sent = time.monotonic()
    while time.monotonic() - started < max_s:
        try:
            events = await anyio.to_thread.run_sync(check)
        except KefuError as exc:  # the session ended, the conversation went: say so, stop
            problem = {"error": {"code": exc.code, "message": str(exc)}}
            yield f"event: error\ndata: {json.dumps(problem)}\n\n"
            return
        for name, data in events:
            yield f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"
            last_sent = time.monotonic()
        if time.monotonic() - last_sent >= HEARTBEAT_S:
            yield ": still here\n\n"
            last_sent = time.monotonic()
        if await request.is_disconnected():
            return
        await anyio.sleep(interval_s)
