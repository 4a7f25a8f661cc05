"""The assembled product: settings → database → pipeline → conversations.

One object per server process; everything durable lives in the database, so any number of
processes can serve the same shop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, selectinload, sessionmaker

from kefu.apikeys import is_valid_api_key
from kefu.conversations import Conversations
from kefu.knowledge.base import Retriever
from kefu.knowledge.bm25 import SourceDocument
from kefu.knowledge.cache import Indexer, KnowledgeCache
from kefu.knowledge.tokenize import warm_up
from kefu.knowledge.vector_cache import VectorCache
from kefu.nlu.live_catalog import LiveCatalogExtractor
from kefu.nlu.loader import load_recognizer
from kefu.pipeline import Pipeline
from kefu.respond.templates import TemplateResponder
from kefu.settings import Settings
from kefu.storage.db import is_current, make_engine, make_sessionmaker, storage_errors
from kefu.storage.models import Product


@dataclass
class Kefu:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    knowledge: KnowledgeCache
    entities: LiveCatalogExtractor
    pipeline: Pipeline
    conversations: Conversations

    @classmethod
    def from_settings(cls, settings: Settings) -> Kefu:
        settings.ensure_data_dir()
        engine = make_engine(settings.resolved_database_url, settings.db_busy_timeout_s)
        factory = make_sessionmaker(engine)
        knowledge = KnowledgeCache(factory, vectors=_vectors(settings), index=_pg_index(settings))
        entities = LiveCatalogExtractor(factory, currency=settings.currency)
        pipeline = Pipeline(
            recognizer=load_recognizer(settings),
            extractor=entities,
            retriever=knowledge,
            responder=TemplateResponder(settings.shop_name),
            products=entities,
            max_message_chars=settings.max_message_chars,
            default_language=settings.default_language,
        )
        conversations = Conversations(factory, pipeline, settings.secret_key)
        return cls(settings, engine, factory, knowledge, entities, pipeline, conversations)

    def warm(self) -> None:
        """Load what the first turn would otherwise wait for."""
        warm_up()
        if is_current(self.engine):
            self.knowledge.refresh(force=True)
            self.entities.refresh(force=True)
        self.pipeline.recognizer.recognize("hello", "en")

    def readiness(self) -> dict[str, Any]:
        with storage_errors(), self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"database": "ok", "schema": "ok" if is_current(self.engine) else "missing"}

    def api_key_valid(self, key: str) -> bool:
        with storage_errors():
            return is_valid_api_key(self.factory, self.settings.secret_key, key)

    def catalog(self, limit: int) -> list[ProductSummary]:
        with storage_errors(), self.factory() as session:
            products = session.scalars(
                select(Product).order_by(Product.position, Product.id).limit(limit)
                .options(selectinload(Product.variants))
            )
            return [_summary(p) for p in products]

    def close(self) -> None:
        self.engine.dispose()


def _vectors(settings: Settings) -> VectorCache | None:
    if settings.retrieval == "bm25":
        return None
    from kefu.nlu.encoder import load_encoder
    from kefu.nlu.encoder.onnx_build import BUILDER_VERSION

    encoder = load_encoder(settings.encoder, settings.cache_dir, settings.encoder_threads)
    namespace = f"e5-small-{settings.encoder}-b{BUILDER_VERSION}"
    return VectorCache(encoder, settings.cache_dir.expanduser() / "vectors.sqlite3", namespace)


def _pg_index(settings: Settings) -> Indexer | None:
    """The knowledge index in the shop's PostgreSQL with pgvector, synced from kb_documents
    whenever they change (unchanged documents are skipped, removed ones pruned)."""
    if not settings.vector_database_url:
        return None
    from kefu.knowledge.pgvector import PgVectorRetriever
    from kefu.nlu.encoder import load_encoder

    encoder = load_encoder(settings.encoder, settings.cache_dir, settings.encoder_threads)
    pg = PgVectorRetriever(settings.vector_database_url, encoder)

    def index(docs: list[SourceDocument]) -> Retriever:
        pg.sync(docs, prune=True)
        return pg

    return index


@dataclass(frozen=True)
class ProductSummary:
    id: str
    name: str
    name_zh: str | None
    category: str | None
    price_from_cents: int
    in_stock: bool


def _summary(p: Product) -> ProductSummary:
    prices = [v.price_cents for v in p.variants] or [0]
    return ProductSummary(p.id, p.name, p.name_zh, p.category, min(prices),
                          any(v.available for v in p.variants))
