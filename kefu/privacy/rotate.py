"""``kefu privacy rotate-key``: every encrypted column rewritten under the current data key
(and plaintext from before encryption encrypted), in batches, one transaction per batch."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, select, type_coerce, update
from sqlalchemy.orm import Session, sessionmaker

from kefu.privacy.crypto import KEYRING, EncryptedJSON, EncryptedText
from kefu.storage.db import storage_errors
from kefu.storage.models import Base

BATCH = 500


def encrypted_columns() -> list[tuple[Any, Any, list[str]]]:
    """(table, primary key columns, encrypted column names) for every model."""
    found = []
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        names = [c.name for c in table.columns
                 if isinstance(c.type, EncryptedText | EncryptedJSON)]
        if names:
            found.append((table, [c for c in table.columns if c.primary_key], names))
    return found


def rotate(factory: sessionmaker[Session]) -> dict[str, int]:
    """Rewrites each value not under the current key; returns how many per table."""
    done: dict[str, int] = {}
    for table, keys, names in encrypted_columns():
        raw = [type_coerce(table.c[n], Text).label(n) for n in names]
        with storage_errors(), factory() as session:
            rows = session.execute(select(*keys, *raw)).all()
        stale = [r for r in rows if not all(KEYRING.is_current(getattr(r, n)) for n in names)]
        for start in range(0, len(stale), BATCH):
            with storage_errors(), factory.begin() as session:
                for row in stale[start:start + BATCH]:
                    values = {}
                    for n in names:
                        value = getattr(row, n)
                        if value is None:
                            continue
                        column_type = table.c[n].type
                        values[n] = column_type.process_result_value(value, None)
                    where = [k == getattr(row, k.name) for k in keys]
                    for n in names:  # only if nobody changed it since it was read
                        raw_value = getattr(row, n)
                        column = type_coerce(table.c[n], Text)
                        where.append(column.is_(None) if raw_value is None
                                     else column == raw_value)
                    session.execute(update(table).where(*where).values(**values))
        done[table.name] = len(stale)
    return done
