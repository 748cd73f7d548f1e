"""Personal data at rest: ID numbers and phones encrypted with AES-256-GCM (`Encrypted`, a TypeDecorator on
their columns) and found again through a keyed hash (`lookup_hashes`).

Keys: `GJY_DATA_KEY` (32 bytes, URL-safe base64; `flask keys generate` prints one) encrypts; keys named in
`GJY_DATA_KEYS_OLD` (comma-separated) still decrypt, so that a new key can be put in place before
`flask keys rotate` re-encrypts the rows (docs/security.md). A stored value is
`v1:<key id>:<base64(nonce | ciphertext | tag)>`, the key id being the first 8 hex digits of the key's
SHA-256: each row names the key that decrypts it. Demo mode without GJY_DATA_KEY keeps a random key in the
instance folder, as it does the secret key. The keyed hash for lookups is HMAC-SHA256 under a key derived
from each data key (a lookup tries every configured key, so lookups work during a rotation too)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, String, TypeDecorator, text

PREFIX = "v1"
DEMO_KEY_FILE = "demo-data-key"
NONCE_BYTES = 12


class DataKeyError(RuntimeError):
    """A data key is missing or malformed, or a stored value names a key that is not configured."""


def generate_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _decode_key(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode())
    except (ValueError, TypeError) as exc:
        raise DataKeyError("GJY_DATA_KEY 格式不正确：应为 32 字节的 URL 安全 base64") from exc
    if len(raw) != 32:
        raise DataKeyError("GJY_DATA_KEY 格式不正确：应为 32 字节的 URL 安全 base64")
    return raw


def key_id(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:8]


@dataclass(frozen=True)
class KeyRing:
    """The key that encrypts, and every key that decrypts (it included), by id."""

    current: bytes
    older: tuple[bytes, ...] = ()

    @classmethod
    def from_texts(cls, current: str, older: str = "") -> KeyRing:
        return cls(_decode_key(current), tuple(_decode_key(k) for k in older.split(",") if k.strip()))

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def by_id(self, wanted: str) -> bytes:
        for raw in (self.current, *self.older):
            if key_id(raw) == wanted:
                return raw
        raise DataKeyError(f"数据密钥 {wanted} 未配置（GJY_DATA_KEY / GJY_DATA_KEYS_OLD）")

    def encrypt(self, plain: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.current).encrypt(nonce, plain.encode(), PREFIX.encode())
        return f"{PREFIX}:{self.current_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str) -> str:
        prefix, wanted, body = stored.split(":", 2)
        if prefix != PREFIX:
            raise DataKeyError("无法识别的加密格式")
        raw = base64.urlsafe_b64decode(body.encode())
        return AESGCM(self.by_id(wanted)).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], PREFIX.encode()).decode()

    def needs_rotation(self, stored: str | None) -> bool:
        return stored is not None and not stored.startswith(f"{PREFIX}:{self.current_id}:")

    def lookup_hashes(self, plain: str) -> list[str]:
        """The keyed hash of `plain` under every configured key, the current key's first."""
        return [_keyed_hash(raw, plain) for raw in (self.current, *self.older)]

    def lookup_hash(self, plain: str) -> str:
        return _keyed_hash(self.current, plain)


def _keyed_hash(raw: bytes, plain: str) -> str:
    lookup_key = hmac.new(raw, b"gjy lookup key", hashlib.sha256).digest()
    return hmac.new(lookup_key, plain.encode(), hashlib.sha256).hexdigest()


def demo_data_key(instance_path: str) -> str:
    """Demo mode without GJY_DATA_KEY: a random key made once, kept in the instance folder (owner only)."""
    path = Path(instance_path) / DEMO_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
                out.write(generate_key())
        except FileExistsError:  # another process made it first: use that one
            pass
    return path.read_text().strip()


_RINGS: dict[tuple[str, str], KeyRing] = {}


def key_ring() -> KeyRing:
    """The running app's keys (config DATA_KEY, DATA_KEYS_OLD)."""
    from flask import current_app

    current, older = current_app.config.get("DATA_KEY") or "", current_app.config.get("DATA_KEYS_OLD") or ""
    if not current:
        raise DataKeyError("GJY_DATA_KEY 未设置：请设置数据加密密钥（或以 GJY_DEMO=1 运行演示）")
    ring = _RINGS.get((current, older))
    if ring is None:
        ring = _RINGS[(current, older)] = KeyRing.from_texts(current, older)
    return ring


def lookup_hashes(plain: str) -> list[str]:
    return key_ring().lookup_hashes(plain)


def lookup_hash(plain: str | None) -> str | None:
    return key_ring().lookup_hash(plain) if plain else None


class Encrypted(TypeDecorator[str]):
    """A text column stored encrypted (AES-256-GCM, the app's current data key); read back in clear.
    Comparisons in SQL do not work on it: look such values up by their keyed-hash column."""

    impl = String(255)
    cache_ok = True

    def __init__(self, sqlite_length: int = 255) -> None:
        # The column's declared length on SQLite, which does not enforce it (the columns kept their clear
        # text lengths there; PostgreSQL's were widened to 255): see the migration f6b2d8e4a1c3.
        super().__init__()
        self.sqlite_length = sqlite_length

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.sqlite_length))
        return dialect.type_descriptor(String(255))

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return key_ring().encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return key_ring().decrypt(value)


def stored_data_readable(connection: Connection) -> bool:
    """Whether the configured keys read what the database holds: the first encrypted value found decrypted. A
    well-formed but wrong GJY_DATA_KEY starts the app, and every page showing a person failed; the health
    probe says so instead. True when nothing is stored yet."""
    for table, column in ENCRYPTED_COLUMNS:
        stored = connection.execute(text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL LIMIT 1")).scalar()
        if stored is not None:
            try:
                key_ring().decrypt(stored)
            except (DataKeyError, InvalidTag, ValueError):
                return False
            return True
    return True


# The encrypted columns (table, column), and the keyed hashes kept beside some of them (table, column, hash).
ENCRYPTED_COLUMNS = (("users", "phone"), ("persons", "id_number"), ("persons", "phone"),
                     ("enterprise_registrations", "operator_phone"))
HASHED_COLUMNS = (("persons", "id_number", "id_number_hash"),)


def rotate(session: Any, batch: int = 1000) -> dict[str, int]:
    """Re-encrypt every value not under the current key, and recompute the keyed hashes with it: after
    GJY_DATA_KEY got a new key and the old one went to GJY_DATA_KEYS_OLD. Returns the rows changed per
    column; run again, it changes nothing."""
    from sqlalchemy import text

    ring, changed = key_ring(), {}
    for table, column in ENCRYPTED_COLUMNS:
        hashes = [h for t, c, h in HASHED_COLUMNS if (t, c) == (table, column)]
        done, last_id = 0, 0
        while True:
            rows = session.execute(text(f"SELECT id, {column} FROM {table} WHERE id > :last AND {column} IS NOT NULL "
                                        f"ORDER BY id LIMIT :batch"), {"last": last_id, "batch": batch}).all()
            for row_id, stored in rows:
                if not ring.needs_rotation(stored):
                    continue
                plain = ring.decrypt(stored) if stored.startswith(PREFIX + ":") else stored
                values = {"value": ring.encrypt(plain), "id": row_id, **{h: ring.lookup_hash(plain) for h in hashes}}
                sets = ", ".join([f"{column} = :value", *(f"{h} = :{h}" for h in hashes)])
                session.execute(text(f"UPDATE {table} SET {sets} WHERE id = :id"), values)
                done += 1
            if len(rows) < batch:
                break
            last_id = rows[-1][0]
        changed[f"{table}.{column}"] = done
    return changed
