"""The error tree. User mistakes are kept apart from runtime failures; the API edge alone
turns them into HTTP statuses.

    KefuError
    ├── UserError                  the caller asked for something wrong       (4xx)
    │   ├── InvalidInput           empty, oversized or malformed input         400/413/422
    │   │   └── MessageTooLong                                                 413
    │   ├── NotFound               unknown conversation, order, customer…     404
    │   ├── Unauthorized           missing or wrong API key / token / sign-in 401
    │   ├── Forbidden              signed in, but the role may not             403
    │   │   └── CsrfFailed         a console write without its CSRF token      403
    │   ├── Conflict               another turn is running on the conversation 409
    │   │                          (or a knowledge document id or text is taken,
    │   │                          or another agent holds the conversation)
    │   ├── Refused                a tool refused under the shop's policy     422
    │   ├── RateLimited            too many tries; retry_after_s says when     429
    │   └── LimitReached           a conversation's cap (turns) is reached     429
    └── RuntimeFailure             kefu or something it depends on failed      (5xx)
        ├── StorageUnavailable     database down or locked too long            503
        └── ImportFailed           a store file could not be loaded
"""

from __future__ import annotations


class KefuError(Exception):
    """Root of every error kefu raises on purpose."""

    code = "error"


class UserError(KefuError):
    code = "bad_request"


class InvalidInput(UserError):
    code = "invalid_input"


class MessageTooLong(InvalidInput):
    code = "message_too_long"


class NotFound(UserError):
    code = "not_found"


class Unauthorized(UserError):
    code = "unauthorized"


class Forbidden(UserError):
    code = "forbidden"


class CsrfFailed(Forbidden):
    code = "csrf"


class Conflict(UserError):
    code = "conflict"


class Refused(UserError):
    code = "refused"


class LimitReached(UserError):
    code = "limit_reached"


class RateLimited(UserError):
    code = "rate_limited"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = max(1, int(retry_after_s))


class RuntimeFailure(KefuError):
    code = "internal"


class StorageUnavailable(RuntimeFailure):
    code = "storage_unavailable"


class ImportFailed(RuntimeFailure):
    code = "import_failed"
