"""The error tree (kefu.errors) turned into JSON responses: the only place statuses are chosen."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from kefu import errors

log = logging.getLogger("kefu.api")

STATUS: list[tuple[type[errors.KefuError], int]] = [
    (errors.MessageTooLong, 413),
    (errors.InvalidInput, 400),
    (errors.NotFound, 404),
    (errors.Unauthorized, 401),
    (errors.Forbidden, 403),
    (errors.Conflict, 409),
    (errors.Refused, 422),
    (errors.RateLimited, 429),
    (errors.LimitReached, 429),
    (errors.UserError, 400),
    (errors.StorageUnavailable, 503),
    (errors.RuntimeFailure, 500),
]


def error_response(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    headers = {"Retry-After": "1"} if status in (409, 503) else None
    return JSONResponse(
        {"error": {"code": code, "message": message, **extra}}, status_code=status, headers=headers
    )


def status_of(exc: errors.KefuError) -> int:
    return next((s for cls, s in STATUS if isinstance(exc, cls)), 500)


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.KefuError)
    async def kefu_error(_: Request, exc: errors.KefuError) -> JSONResponse:
        status = status_of(exc)
        if status >= 500 and not isinstance(exc, errors.StorageUnavailable):
            # kefu's own failure: its detail (which may name what a guard held back) is for
            # the log, not for the client
            log.error("%s: %s", exc.code, exc)
            return error_response(status, exc.code, "something went wrong on our side; "
                                  "please retry")
        response = error_response(status, exc.code, str(exc))
        if isinstance(exc, errors.RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after_s)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return error_response(400, "malformed_json", "the request body is not valid JSON")
        return error_response(422, "invalid_input", "the request is not valid", details=problems)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        response = error_response(exc.status_code,
                                  _HTTP_CODES.get(exc.status_code, "http_error"), str(exc.detail))
        for name, value in (exc.headers or {}).items():  # Allow on a 405, say
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return error_response(500, "internal", "something went wrong on our side; please retry")


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 400: "bad_request"}
