"""The staff console's routes (docs/console-api.md): sign-in, the inbox and takeover, agent
assist, analytics, experiments, gaps and staff accounts; the console page; /metrics."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from kefu import metrics
from kefu.api.deps import KefuDep, api_key_of
from kefu.api.live import sse
from kefu.api.schemas import ErrorOut
from kefu.api.staff_deps import (
    CSRF_HEADER,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Admin,
    Agent,
    SignedIn,
)
from kefu.console import analytics
from kefu.errors import CsrfFailed, Forbidden, Unauthorized
from kefu.privacy.erasure import erase_customer, export_customer
from kefu.security import same
from kefu.staff.accounts import Staff
from kefu.web import STATIC_DIR

console = APIRouter(prefix="/console/api", tags=["console"], responses={
    400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 403: {"model": ErrorOut},
    404: {"model": ErrorOut}, 409: {"model": ErrorOut}, 422: {"model": ErrorOut},
    429: {"model": ErrorOut},
})
pages = APIRouter(include_in_schema=False)
Json = dict[str, Any]

CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(..., max_length=64)
    password: str = Field(..., max_length=200)


class Text(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(..., max_length=4000)


class IntentFix(BaseModel):
    model_config = ConfigDict(extra="forbid")
    intent: str = Field(..., max_length=60)


class NewFaq(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., max_length=300)
    answer: str = Field(..., max_length=10_000)
    language: str = Field("en", pattern="^(en|zh)$")
    gap_id: str | None = Field(None, max_length=20)


class NewStaff(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(..., max_length=64)
    display_name: str = Field("", max_length=120)
    password: str = Field(..., max_length=200)
    role: str = Field("agent", pattern="^(agent|admin)$")


def _user(staff: Staff) -> Json:
    return {"username": staff.username, "display_name": staff.display_name, "role": staff.role,
            "disabled": staff.disabled}


# ---------------------------------------------------------------------------- sign-in
@console.get("/login-token")
def login_token(request: Request, response: Response, kefu: KefuDep) -> Json:
    """A token for the sign-in form (double-submit: the same value as a cookie and a header)."""
    token = secrets.token_urlsafe(24)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=kefu.settings.secure_cookies, path="/console", max_age=3600)
    return {"csrf": token}


@console.post("/login")
def login(body: Login, request: Request, response: Response, kefu: KefuDep) -> Json:
    """Sign in; sets the session cookie. 5 failed tries per name or address in 15 minutes
    and further tries get 429 with Retry-After."""
    cookie = request.cookies.get(LOGIN_COOKIE)
    header = request.headers.get(CSRF_HEADER)
    if not cookie or not header or not same(cookie, header):
        raise CsrfFailed("sign-in needs the token from /console/api/login-token")
    ip = request.client.host if request.client else "unknown"
    try:
        staff, token = kefu.console.accounts.sign_in(body.username, body.password, ip)
    except Exception:
        metrics.SIGN_INS.labels("refused").inc()
        raise
    metrics.SIGN_INS.labels("ok").inc()
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=kefu.settings.secure_cookies, path="/",
                        max_age=int(kefu.settings.staff_session_hours * 3600))
    response.delete_cookie(LOGIN_COOKIE, path="/console")
    return {"user": _user(staff), "csrf": kefu.console.accounts.csrf_token(token)}


@console.post("/logout")
def logout(signed: SignedIn, response: Response, kefu: KefuDep) -> Json:
    kefu.console.accounts.sign_out(signed.token)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {}


@console.get("/me")
def me(signed: SignedIn, kefu: KefuDep) -> Json:
    return {"user": _user(signed.staff), "csrf": kefu.console.accounts.csrf_token(signed.token)}


# ---------------------------------------------------------------------------- inbox
@console.get("/inbox")
def inbox(staff: Agent, kefu: KefuDep, all: Annotated[int, Query(ge=0, le=1)] = 0) -> Json:
    return {"conversations": kefu.console.inbox.queue(bool(all))}


@console.get("/inbox/stream", response_class=StreamingResponse)
def inbox_stream(request: Request, signed: SignedIn, kefu: KefuDep,
                 all: Annotated[int, Query(ge=0, le=1)] = 0) -> StreamingResponse:
    """Server-sent events: ``inbox`` with the whole list, at once and whenever it changes."""
    shown: list[Any] = [None]

    def check() -> list[tuple[str, Any]]:
        if kefu.console.accounts.resolve(signed.token) is None:
            raise Unauthorized("the session has ended; sign in again")
        items = kefu.console.inbox.queue(bool(all))
        if items == shown[0]:
            return []
        shown[0] = items
        return [("inbox", {"conversations": items})]

    return sse(request, check)


@console.get("/conversations/{conv_id}")
def conversation(conv_id: str, staff: Agent, kefu: KefuDep) -> Json:
    return kefu.console.inbox.detail(conv_id)


@console.get("/conversations/{conv_id}/stream", response_class=StreamingResponse)
def conversation_stream(conv_id: str, request: Request, signed: SignedIn, kefu: KefuDep,
                        after: Annotated[int, Query(ge=0)] = 0) -> StreamingResponse:
    """Server-sent events: ``message`` for each new message, ``status`` when it changes."""
    seen: dict[str, Any] = {"seq": after, "status": None, "holder": None}
    kefu.console.inbox.messages_after(conv_id, after)  # 404 before the stream starts

    def check() -> list[tuple[str, Any]]:
        if kefu.console.accounts.resolve(signed.token) is None:
            raise Unauthorized("the session has ended; sign in again")
        rows, state, holder = kefu.console.inbox.messages_after(conv_id, int(seen["seq"] or 0))
        events: list[tuple[str, Any]] = [("message", m) for m in rows]
        if rows:
            seen["seq"] = rows[-1]["seq"]
        if (state, holder) != (seen["status"], seen["holder"]):
            seen["status"], seen["holder"] = state, holder
            events.append(("status", {"status": state,
                                      "assigned_to": holder[0] if holder else None,
                                      "assigned_name": holder[1] if holder else None}))
        return events

    return sse(request, check, interval_s=0.5)


@console.post("/conversations/{conv_id}/take")
def take(conv_id: str, staff: Agent, kefu: KefuDep) -> Json:
    metrics.CONSOLE.labels("take").inc()
    return kefu.console.inbox.take(conv_id, staff)


@console.post("/conversations/{conv_id}/release")
def release(conv_id: str, staff: Agent, kefu: KefuDep) -> Json:
    metrics.CONSOLE.labels("release").inc()
    return kefu.console.inbox.release(conv_id, staff)


@console.post("/conversations/{conv_id}/messages", status_code=status.HTTP_201_CREATED)
def agent_message(conv_id: str, body: Text, staff: Agent, kefu: KefuDep) -> Json:
    metrics.CONSOLE.labels("reply").inc()
    return kefu.console.inbox.reply(conv_id, staff, body.text)


@console.get("/conversations/{conv_id}/assist")
def assist(conv_id: str, staff: Agent, kefu: KefuDep) -> Json:
    return kefu.console.inbox.assist(conv_id)


@console.post("/conversations/{conv_id}/orders/{order_id}/{action}")
def order_action(conv_id: str, order_id: str, action: str, body: dict[str, Any],
                 staff: Agent, kefu: KefuDep) -> Json:
    result = kefu.console.inbox.order_action(conv_id, order_id, action, body, staff)
    metrics.TOOL_WRITES.labels("agent").inc()
    return result


@console.post("/conversations/{conv_id}/messages/{seq}/intent")
def correct_intent(conv_id: str, seq: int, body: IntentFix, staff: Agent,
                   kefu: KefuDep) -> Json:
    metrics.CONSOLE.labels("correct_intent").inc()
    return kefu.console.inbox.correct_intent(conv_id, seq, body.intent, staff)


@console.get("/intents")
def intents(staff: Agent, kefu: KefuDep) -> Json:
    return {"intents": kefu.console.inbox.intents}


@console.get("/knowledge")
def knowledge(staff: Agent, kefu: KefuDep, q: Annotated[str, Query(max_length=500)] = "",
              language: Annotated[str | None, Query(pattern="^(en|zh)$")] = None) -> Json:
    return {"passages": kefu.console.inbox.knowledge(q, language)}


# ---------------------------------------------------------------------------- analytics
DateQ = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")]


@console.get("/analytics")
def dashboard(staff: Agent, kefu: KefuDep, start: Annotated[DateQ, Query(alias="from")] = None,
              end: Annotated[DateQ, Query(alias="to")] = None) -> Json:
    return analytics.summary(kefu.factory, analytics.Period.parse(start, end))


@console.get("/analytics/export.csv", response_class=Response,
             responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                              "description": "The rows, as CSV"}})
def export(staff: Admin, kefu: KefuDep,
           kind: Annotated[str, Query(pattern="^(conversations|messages|daily)$")],
           start: Annotated[DateQ, Query(alias="from")] = None,
           end: Annotated[DateQ, Query(alias="to")] = None) -> Response:
    period = analytics.Period.parse(start, end)
    body = analytics.export_csv(kefu.factory, period, kind)
    name = f"kefu-{kind}-{period.start}-{period.end}.csv"
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@console.get("/gaps")
def gaps(staff: Agent, kefu: KefuDep, start: Annotated[DateQ, Query(alias="from")] = None,
         end: Annotated[DateQ, Query(alias="to")] = None) -> Json:
    return {"clusters": kefu.console.gaps.clusters(analytics.Period.parse(start, end))}


@console.post("/faq", status_code=status.HTTP_201_CREATED)
def new_faq(body: NewFaq, staff: Admin, kefu: KefuDep) -> Json:
    metrics.CONSOLE.labels("new_faq").inc()
    return {"doc_id": kefu.console.gaps.add_faq(body.question, body.answer, body.language,
                                                body.gap_id)}


# ---------------------------------------------------------------------------- experiments
@console.get("/experiments")
def experiments(staff: Admin, kefu: KefuDep) -> Json:
    return {"experiments": kefu.console.experiments.list()}


@console.post("/experiments", status_code=status.HTTP_201_CREATED)
def new_experiment(body: dict[str, Any], staff: Admin, kefu: KefuDep) -> Json:
    return kefu.console.experiments.create(body)


@console.get("/experiments/{experiment_id}")
def experiment(experiment_id: int, staff: Admin, kefu: KefuDep) -> Json:
    return kefu.console.experiments.get(experiment_id)


@console.post("/experiments/{experiment_id}/start")
def start_experiment(experiment_id: int, staff: Admin, kefu: KefuDep) -> Json:
    return kefu.console.experiments.start(experiment_id)


@console.post("/experiments/{experiment_id}/stop")
def stop_experiment(experiment_id: int, staff: Admin, kefu: KefuDep) -> Json:
    return kefu.console.experiments.stop(experiment_id)


# ---------------------------------------------------------------------------- privacy
class Subject(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: str = Field(..., min_length=1, max_length=64)


@console.post("/privacy/export")
def privacy_export(body: Subject, staff: Admin, kefu: KefuDep) -> Json:
    """Everything kefu holds about a customer, as JSON (a data request; recorded)."""
    return export_customer(kefu.factory, kefu.settings.secret_key, body.customer_id,
                           staff.actor)


@console.post("/privacy/erase")
def privacy_erase(body: Subject, staff: Admin, kefu: KefuDep) -> Json:
    """Remove or anonymise a customer's data everywhere kefu keeps it (recorded)."""
    metrics.CONSOLE.labels("erase").inc()
    return erase_customer(kefu.factory, kefu.settings.secret_key, body.customer_id,
                          staff.actor, kefu.conversations.forget_customer).as_json()


# ---------------------------------------------------------------------------- staff
@console.get("/staff")
def staff_list(staff: Admin, kefu: KefuDep) -> Json:
    return {"staff": [_user(s) for s in kefu.console.accounts.list()]}


@console.post("/staff", status_code=status.HTTP_201_CREATED)
def staff_create(body: NewStaff, staff: Admin, kefu: KefuDep) -> Json:
    return _user(kefu.console.accounts.create(body.username, body.display_name, body.password,
                                              body.role))


@console.post("/staff/{username}/disable")
def staff_disable(username: str, staff: Admin, kefu: KefuDep) -> Json:
    if username == staff.username:
        raise Forbidden("you cannot disable your own account")
    return _user(kefu.console.accounts.disable(username))


# ---------------------------------------------------------------------------- pages, metrics
@pages.get("/console")
def console_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "console" / "index.html", headers={
        "Content-Security-Policy": CONSOLE_CSP, "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store"})


@pages.get("/metrics")
def prometheus(request: Request, kefu: KefuDep) -> Response:
    """Prometheus metrics: for an API key (Authorization: Bearer) or a signed-in admin."""
    key = api_key_of(request.headers.get("x-api-key"), request.headers.get("authorization"))
    if key is not None:
        if not kefu.api_key_valid(key):
            raise Unauthorized("the API key is not valid")
    else:
        staff = kefu.console.accounts.resolve(request.cookies.get(SESSION_COOKIE))
        if staff is None:
            raise Unauthorized("an API key or an admin's sign-in is required")
        if not staff.is_admin:
            raise Forbidden("only an admin may read the metrics")
    body, media = metrics.exposition()
    return Response(body, media_type=media)
