"""How long kefu keeps each kind of data, applied by a job that every server process runs
once an hour (``RetentionJob``; several workers running it at once do the same deletes, which
are idempotent) or by ``kefu privacy retention``.

Periods come from settings (days; 0 keeps forever):

- conversations (with their messages, thumbs and intent corrections): since their last activity;
- events (the per-turn analytics rows): since they were written;
- the audit log of order actions: since written (shops keep these for their accounts: years);
- staff sign-in sessions: once expired;
- privacy request records: never deleted by retention (they are the proof).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from kefu.storage.db import affected, storage_errors
from kefu.storage.models import (
    AuditEntry,
    Conversation,
    Event,
    PrivacyRequest,
    StaffSession,
    utcnow,
)

log = logging.getLogger("kefu.privacy")


@dataclass(frozen=True)
class Periods:
    conversations_days: int = 365
    events_days: int = 180
    audit_days: int = 7 * 365


@dataclass(frozen=True)
class RetentionReport:
    conversations: int
    events: int
    audit_entries: int
    sessions: int


def apply_retention(factory: sessionmaker[Session], periods: Periods,
                    record: bool = True) -> RetentionReport:
    now = utcnow()
    with storage_errors(), factory.begin() as session:
        conversations = events = audit = 0
        if periods.conversations_days:
            cut = now - timedelta(days=periods.conversations_days)
            conversations = affected(session.execute(delete(Conversation).where(
                Conversation.updated_at < cut)))
        if periods.events_days:
            cut = now - timedelta(days=periods.events_days)
            events = affected(session.execute(delete(Event).where(Event.created_at < cut)))
        if periods.audit_days:
            cut = now - timedelta(days=periods.audit_days)
            audit = affected(session.execute(delete(AuditEntry).where(AuditEntry.created_at < cut)
                                    ))
        sessions = affected(session.execute(delete(StaffSession).where(
            StaffSession.expires_at < now)))
        report = RetentionReport(conversations, events, audit, sessions)
        if record and any(asdict(report).values()):
            session.add(PrivacyRequest(kind="retention", subject="-", actor="retention",
                                       details=asdict(report)))
    return report


class RetentionJob:
    """Applies retention every ``every_s`` seconds in a daemon thread until stopped."""

    def __init__(self, factory: sessionmaker[Session], periods: Periods,
                 every_s: float = 3600.0) -> None:
        self._factory = factory
        self._periods = periods
        self._every = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kefu-retention", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                report = apply_retention(self._factory, self._periods)
                if any(asdict(report).values()):
                    log.info("retention removed %s", asdict(report))
            except Exception:  # the next run tries again; the server keeps serving
                log.exception("the retention job failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
