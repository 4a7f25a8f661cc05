"""A shop points kefu at its own PostgreSQL with pgvector by URL: the knowledge index lives
there, kept in sync with the documents, and turns are answered from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, text

from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.models import KnowledgeDocument
from tests.shop import seed_small_shop

pytestmark = pytest.mark.pgvector


@pytest.fixture
def kefu(pgvector_url: str, tmp_path: Path) -> Iterator[Kefu]:
    settings = Settings(data_dir=tmp_path, vector_database_url=pgvector_url)
    product = Kefu.from_settings(settings)
    from kefu.storage.db import upgrade

    upgrade(settings.resolved_database_url)
    with product.factory.begin() as session:
        seed_small_shop(session)
    product.warm()
    yield product
    product.close()


def _chunks(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT DISTINCT doc_id FROM kefu_kb_chunks")).scalars().all()
    engine.dispose()
    return set(rows)


def test_turns_are_answered_from_the_pgvector_index(kefu: Kefu, pgvector_url: str) -> None:
    assert {"en/shipping.md", "zh/shipping.md"} <= _chunks(pgvector_url)
    conv = kefu.conversations.create()
    reply = kefu.conversations.post(conv.id, "How long does delivery take?").reply
    assert reply.citations and reply.citations[0].startswith("en/shipping.md#")
    found = kefu.knowledge.search("运费", "zh", k=1)
    assert found and found[0].doc_id == "zh/shipping.md" and found[0].semantic > 0


def test_a_removed_document_leaves_the_index(kefu: Kefu, pgvector_url: str) -> None:
    with kefu.factory.begin() as session:
        session.execute(delete(KnowledgeDocument).where(KnowledgeDocument.id == "zh/shipping.md"))
    kefu.knowledge.refresh(force=True)
    assert "zh/shipping.md" not in _chunks(pgvector_url)
    assert kefu.knowledge.search("运费 包邮", "zh") == []
