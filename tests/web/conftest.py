"""Fixtures for page tests: `web("ent-nanning")` is a signed-in page client of that demo user."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from tests.support.web import WebUser


@pytest.fixture
def web(app: Flask) -> Callable[[str], WebUser]:
    def make(username: str) -> WebUser:
        return WebUser(app, username).login()
    return make
