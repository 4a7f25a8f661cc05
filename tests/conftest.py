"""Shared fixtures: a migrated database on SQLite (a temp file) and on the real PostgreSQL.

PostgreSQL tests use a fresh schema in database ``test`` on 127.0.0.1:5432 (override with
KEFU_TEST_PG_URL) and drop it afterwards, so runs never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from kefu.storage.db import make_engine, make_sessionmaker, upgrade

# Tests answer from templates unless they ask for a chat model: generation takes seconds a turn
# on 2 cores. The tests of generation (tests/llm/) build their settings with a model, and
# subprocesses they start get KEFU_LLM from them.
os.environ["KEFU_LLM"] = "none"

PG_URL = os.environ.get("KEFU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'kefu.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    schema = f"kefu_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the service is part of every dev and CI machine
        admin.dispose()
        pytest.fail(f"PostgreSQL at {PG_URL} is not reachable: {exc}")
    url = _pg_schema_url(schema)
    upgrade(url)
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def tau_dir() -> Path:
    path = SHARED_DATA / "tau_retail"
    if not (path / "orders.json").exists():
        pytest.skip(f"tau-bench retail data not found at {path} (../shared/data is absent)")
    return path


@pytest.fixture(scope="session")
def pgvector_server() -> Iterator[str]:
    """A PostgreSQL 16 with pgvector for this test session, started from the PyPI package
    ``pgserver`` in a temporary directory and deleted afterwards; yields the SQLAlchemy URL of
    its ``postgres`` database (a Unix socket in that directory: no port is opened).

    As root (CI), pgserver runs the server as a system user ``pgserver`` that it creates with
    ``useradd`` on first use, because PostgreSQL refuses to run as root.
    """
    import tempfile
    import warnings

    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import pgserver
    except ImportError:
        pytest.skip("pgserver is not installed: `make install` (the dev extra) brings it")
    from kefu.knowledge.pgvector import sqlalchemy_url

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = pgserver.get_server(tempfile.mkdtemp(prefix="kefu-pgvector-"),
                                         cleanup_mode="delete")
    except Exception as exc:
        pytest.fail(f"pgserver could not start PostgreSQL: {exc!r}")
    yield sqlalchemy_url(server.get_uri())
    server.cleanup()


@pytest.fixture
def pgvector_url(pgvector_server: str) -> Iterator[str]:
    """A fresh, empty database on the pgvector server; dropped after the test."""
    from sqlalchemy.engine import make_url

    name = f"kefu_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pgvector_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(pgvector_server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(autouse=True)
def _default_data_key() -> Iterator[None]:
    """Each test starts and ends encrypting with the default data key (derived from the
    default secret), the one `kefu` processes started by the tests use too; a test that
    configures other keys does not leak them into the next."""
    from kefu.privacy.crypto import configure
    from kefu.settings import PLACEHOLDER_SECRET

    configure(None, PLACEHOLDER_SECRET)
    yield
    configure(None, PLACEHOLDER_SECRET)
