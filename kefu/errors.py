"""The error tree. User mistakes are kept apart from runtime failures; the API edge alone
turns them into HTTP statuses.

    KefuError
    ├── UserError                  the caller asked for something wrong       (4xx)
    │   ├── InvalidInput           empty, oversized or malformed input         400/413/422
    │   │   └── MessageTooLong                                                 413
    │   ├── NotFound               unknown conversation, order, customer…     404
    │   ├── Unauthorized           missing or wrong API key / token           401
    │   └── Conflict               another turn is running on the conversation 409
    │                              (or a knowledge document id or text is taken)
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


class Conflict(UserError):
    code = "conflict"


class RuntimeFailure(KefuError):
    code = "internal"


class StorageUnavailable(RuntimeFailure):
    code = "storage_unavailable"


class ImportFailed(RuntimeFailure):
    code = "import_failed"
