"""Test databases: a SQLite file, and PostgreSQL on 127.0.0.1 when reachable (required in CI)."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get("GJY_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_SKIP_REASON = ("PostgreSQL is not reachable at 127.0.0.1:5432 (set GJY_TEST_PG_ADMIN_URL to point at one); "
                  "the PostgreSQL run of this test is skipped, the SQLite run still checks the behaviour")


def postgres_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def create_pg_database() -> str:
    """A fresh database for this test session; its URL."""
    if not postgres_available():
        if os.environ.get("GJY_REQUIRE_PG") == "1":
            pytest.fail("GJY_REQUIRE_PG=1 but PostgreSQL is not reachable at 127.0.0.1:5432")
        pytest.skip(PG_SKIP_REASON)
    name = f"gjy_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def wipe(db) -> None:  # type: ignore[no-untyped-def]
    """Empty every table (between tests), keeping the migrated schema."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("TRUNCATE TABLE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    else:
        db.session.execute(text("UPDATE procedures SET latest_version_id = NULL"))
        for table in tables:
            db.session.execute(text(f'DELETE FROM "{table}"'))
    db.session.commit()
