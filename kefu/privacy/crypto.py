"""Sensitive columns encrypted at rest: AES-256-GCM (the ``cryptography`` package), a random
96-bit nonce per value, the key's id as associated data.

A stored value reads ``enc1:<key id>:<base64 of nonce + ciphertext + tag>``; a value without
the prefix is plaintext from before encryption (read as it is, and encrypted by the next
``kefu privacy rotate-key``). Keys come from ``KEFU_DATA_KEYS`` (comma-separated base64 keys
of 32 bytes, the first one encrypts, all of them decrypt), or else are derived from
``KEFU_SECRET_KEY`` with HKDF. Rotation: put a new key first, keep the old ones after it, run
``kefu privacy rotate-key`` (every encrypted value is rewritten under the new key), then drop
the old keys.

The keyring is process-wide (the column types need it without a session at hand): each
product built in the process adds its keys, the last one's first key encrypts, and every key
seen decrypts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import threading
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text, TypeDecorator
from sqlalchemy.engine import Dialect

from kefu.errors import RuntimeFailure

PREFIX = "enc1:"
KEY_BYTES = 32


class DecryptionFailed(RuntimeFailure):
    code = "decryption_failed"


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"kefu-key-id:" + key).hexdigest()[:12]


def derive_key(secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=b"kefu-data-at-rest",
                info=b"kefu data key v1").derive(secret_key.encode())


def parse_keys(value: str) -> list[bytes]:
    """``KEFU_DATA_KEYS``: base64 keys of 32 bytes, comma-separated, the current one first."""
    keys = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            key = base64.b64decode(part, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("KEFU_DATA_KEYS holds something that is not base64") from exc
        if len(key) != KEY_BYTES:
            raise ValueError(f"each data key is {KEY_BYTES} bytes (base64 of 32 random bytes: "
                             "python -c 'import os,base64; print(base64.b64encode("
                             "os.urandom(32)).decode())')")
        keys.append(key)
    if not keys:
        raise ValueError("KEFU_DATA_KEYS is empty")
    return keys


class Keyring:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, AESGCM] = {}
        self._current: str | None = None

    def use(self, keys: list[bytes]) -> None:
        """Encrypt with ``keys[0]`` from now on; decrypt with these and every key seen."""
        with self._lock:
            for key in keys:
                self._keys.setdefault(key_id(key), AESGCM(key))
            self._current = key_id(keys[0])

    @property
    def current(self) -> str | None:
        return self._current

    def encrypt(self, plaintext: str) -> str:
        kid = self._current
        if kid is None:
            return plaintext  # no product configured a key in this process (a bare script)
        nonce = os.urandom(12)
        sealed = self._keys[kid].encrypt(nonce, plaintext.encode(), kid.encode())
        return f"{PREFIX}{kid}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored
        kid, _, body = stored[len(PREFIX):].partition(":")
        aead = self._keys.get(kid)
        if aead is None:
            raise DecryptionFailed(f"a value is encrypted with key {kid}, which is not in "
                                   "KEFU_DATA_KEYS")
        raw = base64.b64decode(body)
        try:
            return aead.decrypt(raw[:12], raw[12:], kid.encode()).decode()
        except InvalidTag as exc:
            raise DecryptionFailed(f"a value encrypted with key {kid} failed its "
                                   "authentication check (altered or corrupt)") from exc

    def is_current(self, stored: str | None) -> bool:
        return stored is None or stored.startswith(f"{PREFIX}{self._current}:")


KEYRING = Keyring()


def configure(data_keys: str | None, secret_key: str) -> None:
    KEYRING.use(parse_keys(data_keys) if data_keys else [derive_key(secret_key)])


class EncryptedText(TypeDecorator[str]):
    """Text stored encrypted (see the module's docstring); ``length`` bounds the plaintext
    (checked by importers; the stored value is longer)."""

    impl = Text
    cache_ok = True

    def __init__(self, length: int | None = None) -> None:
        super().__init__()
        self.length = length

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else KEYRING.encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else KEYRING.decrypt(value)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value stored encrypted; plaintext JSON from before is read as it is."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return KEYRING.encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):  # a json column not yet migrated
            return value
        return json.loads(KEYRING.decrypt(value))
