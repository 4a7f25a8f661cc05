"""Engine and session factory, and the one way to bring a database to the current schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from kefu.errors import StorageUnavailable

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, busy_timeout_s: float = 5.0) -> Engine:
    """An engine for SQLite (WAL, foreign keys, busy timeout) or PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": busy_timeout_s, "check_same_thread": False}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {"connect_timeout": max(1, int(busy_timeout_s))}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def storage_errors() -> Iterator[None]:
    """Database trouble (down, locked past the busy timeout, pool exhausted) becomes
    StorageUnavailable, which the API answers with 503."""
    try:
        yield
    except (OperationalError, InterfaceError, PoolTimeout) as exc:
        raise StorageUnavailable("the database is unavailable; please retry shortly") from exc


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` (Alembic), creating the SQLite file if needed."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def is_current(engine: Engine) -> bool:
    """True when the schema exists (the product's tables are there)."""
    try:
        return inspect(engine).has_table("conversations")
    except OperationalError:
        return False


def affected(result: object) -> int:
    """How many rows an UPDATE or DELETE changed (CursorResult.rowcount)."""
    return int(getattr(result, "rowcount", 0) or 0)
