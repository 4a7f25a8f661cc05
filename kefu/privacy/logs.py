"""kefu's log lines carry no personal data: every record made in the process is masked
(kefu.privacy.pii) when it is created, its message and its exception text alike, whichever
logger or handler it goes to (uvicorn's included)."""

from __future__ import annotations

import logging
import threading
import traceback
from typing import Any

_installed = threading.Lock()
_done = False


def install() -> None:
    """Wrap the process's log-record factory once; later calls do nothing."""
    global _done
    with _installed:
        if _done:
            return
        from kefu.privacy.pii import mask

        make = logging.getLogRecordFactory()

        def masked(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = make(*args, **kwargs)
            try:
                if isinstance(record.args, tuple) and record.args:
                    # keep the arguments (formatters such as uvicorn's read them), masked
                    record.args = tuple(
                        a if isinstance(a, int | float | bool) or a is None else mask(str(a))
                        for a in record.args)
                    if isinstance(record.msg, str):
                        record.msg = mask(record.msg)
                else:
                    record.msg, record.args = mask(record.getMessage()), None
                if record.exc_info and record.exc_info[0] is not None:
                    record.exc_text = mask("".join(traceback.format_exception(
                        *record.exc_info)).rstrip("\n"))
            except Exception:  # a record that cannot be formatted is left to logging
                pass
            return record

        logging.setLogRecordFactory(masked)
        _done = True
