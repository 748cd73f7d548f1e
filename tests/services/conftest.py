"""Fixtures the service tests share."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from app.db import unit_of_work
from tests.support.factories import build_sla_world


@pytest.fixture
def world(app: Flask) -> Iterator[dict[str, Any]]:
    """The hand-built SLA world (tests/support/factories.py); the test runs inside the app context, as
    services do."""
    with app.app_context():
        with unit_of_work():
            ids = build_sla_world()
        yield ids
