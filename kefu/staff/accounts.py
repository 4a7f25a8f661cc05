"""Staff accounts and console sessions.

Passwords are hashed with argon2id (argon2-cffi, its default parameters); a session is a random
token in an HttpOnly cookie, of which only a keyed hash is stored, so a copy of the database
opens no session. The CSRF token of a session is derived from it (HMAC), so it needs no storage
and changes with every sign-in. Failed sign-ins are counted per user name and per address by the
rate limiter: past the limit, every try is refused until the window has passed, even with the
right password, so guessing stays slow whichever worker answers.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kefu.errors import Conflict, InvalidInput, NotFound, RateLimited, Unauthorized
from kefu.ratelimit.base import RateLimiter
from kefu.security import new_token, token_hash
from kefu.storage.db import storage_errors
from kefu.storage.models import StaffSession, StaffUser, utcnow

Role = Literal["agent", "admin"]
ROLES: tuple[Role, ...] = ("agent", "admin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10
LOGIN_LIMIT = 5  # failed tries per user name, and per address, in LOGIN_WINDOW_S
LOGIN_WINDOW_S = 15 * 60
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password anyone has")


@dataclass(frozen=True)
class Staff:
    """Who is signed in."""

    id: int
    username: str
    display_name: str
    role: Role
    disabled: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def actor(self) -> str:
        """How the audit log names this person's writes."""
        return f"agent:{self.username}"


def _staff(user: StaffUser) -> Staff:
    role: Role = "admin" if user.role == "admin" else "agent"
    return Staff(user.id, user.username, user.display_name, role, user.disabled_at is not None)


class StaffAccounts:
    def __init__(self, factory: sessionmaker[Session], secret_key: str, limiter: RateLimiter,
                 session_hours: float = 12.0) -> None:
        self._factory = factory
        self._secret = secret_key
        self._limiter = limiter
        self._lifetime = timedelta(hours=session_hours)

    # ------------------------------------------------------------------ accounts
    def create(self, username: str, display_name: str, password: str, role: str) -> Staff:
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise InvalidInput("a user name is 2-64 lower-case letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise InvalidInput(f"the role must be one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters")
        user = StaffUser(username=username, display_name=display_name.strip() or username,
                         password_hash=_hasher.hash(password), role=role)
        try:
            with storage_errors(), self._factory.begin() as session:
                session.add(user)
                session.flush()
                return _staff(user)
        except IntegrityError as exc:
            raise Conflict(f"there is already a staff member called {username}") from exc

    def list(self) -> list[Staff]:
        with storage_errors(), self._factory() as session:
            return [_staff(u) for u in session.scalars(select(StaffUser).order_by(StaffUser.id))]

    def disable(self, username: str) -> Staff:
        """No more sign-ins; the person's open sessions end at once."""
        with storage_errors(), self._factory.begin() as session:
            user = session.scalar(select(StaffUser).where(StaffUser.username == username))
            if user is None:
                raise NotFound(f"no staff member {username}")
            user.disabled_at = user.disabled_at or utcnow()
            session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
            return _staff(user)

    def set_password(self, username: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters")
        with storage_errors(), self._factory.begin() as session:
            user = session.scalar(select(StaffUser).where(StaffUser.username == username))
            if user is None:
                raise NotFound(f"no staff member {username}")
            user.password_hash = _hasher.hash(password)
            session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))

    # ------------------------------------------------------------------ sessions
    def sign_in(self, username: str, password: str, ip: str) -> tuple[Staff, str]:
        """The person and a new session token, or Unauthorized / RateLimited."""
        username = username.strip().lower()
        keys = (f"login:user:{username}", f"login:ip:{ip}")
        for key in keys:
            verdict = self._limiter.peek(key, LOGIN_LIMIT, LOGIN_WINDOW_S)
            if not verdict.allowed:
                raise RateLimited("too many failed sign-ins; try again later",
                                  verdict.retry_after_s)
        with storage_errors(), self._factory.begin() as session:
            user = session.scalar(select(StaffUser).where(StaffUser.username == username))
            if not _password_ok(user, password):
                for key in keys:
                    self._limiter.hit(key, LOGIN_LIMIT, LOGIN_WINDOW_S)
                raise Unauthorized("the user name or password is wrong")
            assert user is not None
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            now = utcnow()
            user.last_login_at = now
            token = new_token("ks_")
            session.add(StaffSession(token_hash=token_hash(self._secret, token), user_id=user.id,
                                     created_at=now, expires_at=now + self._lifetime, ip=ip[:64]))
            staff = _staff(user)
        self._limiter.reset(keys[0])
        return staff, token

    def resolve(self, token: str | None) -> Staff | None:
        """The person a session token belongs to, while it is valid."""
        if not token:
            return None
        with storage_errors(), self._factory() as session:
            found = session.execute(
                select(StaffSession, StaffUser)
                .join(StaffUser, StaffUser.id == StaffSession.user_id)
                .where(StaffSession.token_hash == token_hash(self._secret, token))
            ).first()
        if found is None:
            return None
        sess, user = found
        if sess.expires_at <= utcnow() or user.disabled_at is not None:
            return None
        return _staff(user)

    def sign_out(self, token: str) -> None:
        with storage_errors(), self._factory.begin() as session:
            session.execute(delete(StaffSession).where(
                StaffSession.token_hash == token_hash(self._secret, token)))

    def csrf_token(self, session_token: str) -> str:
        return hmac.new(self._secret.encode(), b"csrf:" + session_token.encode(),
                        hashlib.sha256).hexdigest()

    def csrf_ok(self, session_token: str, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf_token(session_token), given or "")


def _password_ok(user: StaffUser | None, password: str) -> bool:
    """Checks the password; an unknown or disabled user costs the same time as a known one."""
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None and user.disabled_at is None
