"""Who is calling the console: a signed-in staff member (cookie), with the role the route
needs and, for writes, the session's CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from kefu.api.deps import KefuDep
from kefu.errors import CsrfFailed, Forbidden, Unauthorized
from kefu.staff.accounts import Staff

SESSION_COOKIE = "kefu_staff"
LOGIN_COOKIE = "kefu_login_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Signed:
    staff: Staff
    token: str


def signed_in(request: Request, kefu: KefuDep) -> Signed:
    token = request.cookies.get(SESSION_COOKIE)
    staff = kefu.console.accounts.resolve(token)
    if staff is None or token is None:
        raise Unauthorized("sign in to the console first")
    if request.method not in SAFE_METHODS and not kefu.console.accounts.csrf_ok(
            token, request.headers.get(CSRF_HEADER)):
        raise CsrfFailed("this request needs the X-CSRF-Token of your session")
    return Signed(staff, token)


SignedIn = Annotated[Signed, Depends(signed_in)]


def agent(signed: SignedIn) -> Staff:
    return signed.staff


def admin(signed: SignedIn) -> Staff:
    if not signed.staff.is_admin:
        raise Forbidden("only an admin may do this")
    return signed.staff


Agent = Annotated[Staff, Depends(agent)]
Admin = Annotated[Staff, Depends(admin)]
