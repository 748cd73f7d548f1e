"""Fixtures the service tests share."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask


@pytest.fixture
def world(world: dict[str, Any], app: Flask) -> Iterator[dict[str, Any]]:
    """The SLA world of tests/conftest.py, with the test inside the app context, as services run."""
    with app.app_context():
        yield world
