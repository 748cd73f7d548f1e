"""The models and the migrations describe the same schema: Alembic's autogenerate finds nothing to add
(a model changed without a migration, or a migration the models do not know of, fails here)."""
from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from app.db import Base
from app.models import Case  # noqa: F401  (every model registered on Base.metadata)


@pytest.mark.committing
def test_autogenerate_finds_no_difference(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        differences: list[Any] = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []
