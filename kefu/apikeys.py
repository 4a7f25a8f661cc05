"""API keys for server-to-server clients: created by the CLI, stored as keyed hashes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kefu.security import new_token, token_hash
from kefu.storage.models import ApiKey, utcnow


def create_api_key(factory: sessionmaker[Session], secret_key: str, name: str) -> str:
    """A new key, shown once; only its hash is kept."""
    key = new_token("kefu_")
    with factory.begin() as session:
        session.add(ApiKey(name=name, key_hash=token_hash(secret_key, key)))
    return key


def revoke_api_key(factory: sessionmaker[Session], name: str) -> int:
    with factory.begin() as session:
        keys = session.scalars(
            select(ApiKey).where(ApiKey.name == name, ApiKey.revoked_at.is_(None))
        ).all()
        for key in keys:
            key.revoked_at = utcnow()
        return len(keys)


def is_valid_api_key(factory: sessionmaker[Session], secret_key: str, key: str) -> bool:
    with factory() as session:
        found = session.scalar(
            select(ApiKey.id).where(
                ApiKey.key_hash == token_hash(secret_key, key), ApiKey.revoked_at.is_(None)
            )
        )
    return found is not None
