"""Test databases: a SQLite file, and PostgreSQL on 127.0.0.1 when reachable (required in CI)."""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

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


def require_postgres() -> None:
    if not postgres_available():
        if os.environ.get("GJY_REQUIRE_PG") == "1":
            pytest.fail("GJY_REQUIRE_PG=1 but PostgreSQL is not reachable at 127.0.0.1:5432")
        pytest.skip(PG_SKIP_REASON)


def create_pg_database(template: str | None = None) -> str:
    """A fresh database (a copy of `template`'s URL database when given); its URL."""
    name = f"gjy_test_{uuid.uuid4().hex[:10]}"
    clause = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    engine.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def copy_database(template_url: str, target_dir: Path) -> str:
    """A per-test copy of the migrated, seeded template database."""
    if template_url.startswith("sqlite"):
        source = Path(template_url.removeprefix("sqlite:///"))
        target = target_dir / f"test-{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"
    return create_pg_database(template=template_url)


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        drop_pg_database(url)
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)


def checkpoint_sqlite(url: str) -> None:
    """Fold the WAL into the main file so a plain file copy is a complete database."""
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
    engine.dispose()
