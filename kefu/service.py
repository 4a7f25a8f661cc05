"""The assembled product: settings → database → pipeline → conversations.

One object per server process; everything durable lives in the database, so any number of
processes can serve the same shop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, selectinload, sessionmaker

from kefu.apikeys import is_valid_api_key
from kefu.console.experiments import Experiments
from kefu.console.gaps import Gaps
from kefu.console.inbox import Inbox
from kefu.conversations import Conversations, Limits
from kefu.knowledge.base import Retriever
from kefu.knowledge.bm25 import SourceDocument
from kefu.knowledge.cache import Indexer, KnowledgeCache
from kefu.knowledge.tokenize import warm_up
from kefu.knowledge.vector_cache import VectorCache
from kefu.llm.base import ChatModel, ModelUnavailable
from kefu.llm.breaker import CircuitBreaker
from kefu.metrics import observe_turn
from kefu.nlu.encoder.base import TextEncoder
from kefu.nlu.live_catalog import LiveCatalogExtractor
from kefu.nlu.loader import load_recognizer
from kefu.nlu.taxonomy import INTENTS
from kefu.pipeline import Pipeline
from kefu.privacy.retention import Periods, RetentionJob
from kefu.profile.memory import Profiles
from kefu.ratelimit import RateLimiter, make_rate_limiter
from kefu.recommend.service import Recommendations
from kefu.respond.base import Responder
from kefu.respond.templates import TemplateResponder
from kefu.settings import Settings
from kefu.staff.accounts import StaffAccounts
from kefu.storage.db import is_current, make_engine, make_sessionmaker, storage_errors
from kefu.storage.models import Product


@dataclass
class Console:
    """What the shop's team works with (kefu.console, kefu.staff)."""

    accounts: StaffAccounts
    inbox: Inbox
    experiments: Experiments
    gaps: Gaps


@dataclass
class Kefu:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    knowledge: KnowledgeCache
    entities: LiveCatalogExtractor
    pipeline: Pipeline
    conversations: Conversations
    console: Console
    limiter: RateLimiter
    llm: ChatModel | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Kefu:
        settings.ensure_data_dir()
        engine = make_engine(settings.resolved_database_url, settings.db_busy_timeout_s)
        factory = make_sessionmaker(engine)
        knowledge = KnowledgeCache(factory, vectors=_vectors(settings), index=_pg_index(settings))
        entities = LiveCatalogExtractor(factory, currency=settings.currency)
        llm = chat_model(settings)
        breaker = CircuitBreaker(settings.llm_breaker_failures, settings.llm_breaker_reset_s)
        templates = TemplateResponder(settings.shop_name)
        responder: Responder = templates
        refiner = None
        if llm is not None:
            from kefu.llm.extract import LlmRefiner
            from kefu.llm.responder import LlmResponder

            responder = LlmResponder(llm, templates, settings.shop_name, breaker=breaker,
                                     max_tokens=settings.llm_max_tokens)
            if settings.llm_nlu_below > 0:
                refiner = LlmRefiner(llm, breaker, below=settings.llm_nlu_below)
        from kefu.dialogue.flows import FlowEngine
        from kefu.dialogue.prefill import Prefill
        from kefu.tools.policy import load_policy
        from kefu.tools.retail import RetailTools

        tools = RetailTools(factory, load_policy(settings.policy_file))
        profiles = Profiles(factory)
        flows = FlowEngine(tools, currency=settings.currency, guess_order=settings.prefill,
                           prefill=Prefill(factory, profiles.get) if settings.prefill else None)
        pipeline = Pipeline(
            flows=flows,
            recognizer=load_recognizer(settings),
            extractor=entities,
            retriever=knowledge,
            responder=responder,
            products=entities,
            max_message_chars=settings.max_message_chars,
            default_language=settings.default_language,
            refiner=refiner,
            link_hosts=tuple(settings.link_hosts),
            profiles=profiles,
            recommender=_recommender(settings, factory),
            currency=settings.currency,
            cross_sell=settings.cross_sell,
        )
        experiments = Experiments(factory)
        limiter = make_rate_limiter(settings.redis_url)
        limits = Limits(settings.max_turns, settings.max_llm_tokens, settings.rate_per_customer,
                        limiter)
        conversations = Conversations(factory, pipeline, settings.secret_key,
                                      assigner=experiments, on_turn=observe_turn, limits=limits,
                                      profiles=profiles)
        encoder = _gap_encoder(settings)
        console = Console(
            StaffAccounts(factory, settings.secret_key, limiter, settings.staff_session_hours),
            Inbox(factory, tools, knowledge, lambda: llm, list(INTENTS)),
            experiments,
            Gaps(factory, encoder, lambda: knowledge.refresh(force=True)),
        )
        return cls(settings, engine, factory, knowledge, entities, pipeline, conversations,
                   console, limiter, llm)

    def warm(self) -> None:
        """Load what the first turn would otherwise wait for."""
        warm_up()
        if is_current(self.engine):
            self.knowledge.refresh(force=True)
            self.entities.refresh(force=True)
        self.pipeline.recognizer.recognize("hello", "en")
        load = getattr(self.llm, "load", None)
        if load is not None:
            try:
                load()
            except ModelUnavailable as exc:  # turns fall back to templates, with a human offered
                log.error("the chat model is unavailable: %s", exc)

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

    def retention(self) -> RetentionJob:
        """The job that applies the retention periods while the server runs."""
        s = self.settings
        return RetentionJob(self.factory, Periods(s.retention_conversations_days,
                                                  s.retention_events_days,
                                                  s.retention_audit_days),
                            s.retention_every_s)

    def close(self) -> None:
        if self.llm is not None:
            self.llm.close()
        self.limiter.close()
        self.engine.dispose()


log = logging.getLogger("kefu")


def chat_model(settings: Settings) -> ChatModel | None:
    """The configured chat model, or None for extractive and template answers only.

    The embedded model's file is assembled from the bundled parts on first use (minutes the
    first time, then nothing). If that fails, the model is still returned: each call raises
    ModelUnavailable, the customer gets the template answer with an offer of a human, and the
    circuit breaker retries later, so fixing the file needs no restart.
    """
    if settings.llm == "none":
        return None
    if settings.llm == "openai":
        from kefu.llm.openai_http import OpenAICompatibleModel
        from kefu.llm.redacting import RedactingModel

        if not settings.llm_base_url:
            raise ValueError("KEFU_LLM=openai needs KEFU_LLM_BASE_URL (e.g. http://host:8000/v1)")
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        remote = OpenAICompatibleModel(
            settings.llm_base_url, settings.llm_model, key, timeout_s=settings.llm_timeout_s,
            first_token_timeout_s=settings.llm_first_token_timeout_s,
            retries=settings.llm_retries, concurrency=settings.llm_concurrency,
            json_mode=settings.llm_json_mode)
        return RedactingModel(remote) if settings.llm_redact else remote
    from kefu.llm.embedded import LlamaCppModel
    from kefu.llm.model_files import BUNDLED_NAME, bundled_model

    path = settings.llm_model_path
    if path is None:
        try:
            path = bundled_model(settings.cache_dir, progress=log.warning)
        except ModelUnavailable as exc:
            log.error("the bundled chat model is not available: %s", exc)
            path = settings.cache_dir.expanduser() / "models" / BUNDLED_NAME
    return LlamaCppModel(path, n_ctx=settings.llm_context, threads=settings.llm_threads,
                         timeout_s=settings.llm_timeout_s,
                         first_token_timeout_s=settings.llm_first_token_timeout_s)


def _recommender(settings: Settings, factory: sessionmaker[Session]) -> Recommendations | None:
    """Recommendations need the encoder (product texts by meaning); without one (the keyword
    NLU and lexical retrieval) the recommend intent is answered from the catalogue."""
    if settings.nlu != "encoder" and settings.retrieval == "bm25":
        return None
    from kefu.recommend.evaluate import settings_encoder

    return Recommendations(factory, lambda: settings_encoder(settings))


def _gap_encoder(settings: Settings) -> Callable[[], TextEncoder | None]:
    """The encoder that groups unanswered questions by meaning, loaded when first needed;
    None (TF-IDF instead) where the product runs without one."""
    if settings.nlu != "encoder" and settings.retrieval == "bm25":
        return lambda: None

    def load() -> TextEncoder | None:
        from kefu.nlu.encoder import load_encoder

        return load_encoder(settings.encoder, settings.cache_dir, settings.encoder_threads)

    return load


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
