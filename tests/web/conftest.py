"""Fixtures for page tests: `web("ent-nanning")` is a signed-in page client of that demo user; `standin` the
identity verifier's stand-in, passing every check unless a test says otherwise."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from app.integrations.standin import StandIn
from tests.support.web import WebUser


@pytest.fixture
def web(app: Flask) -> Callable[[str], WebUser]:
    def make(username: str) -> WebUser:
        return WebUser(app, username).login()
    return make


@pytest.fixture
def standin() -> Iterator[StandIn]:
    stand_in = StandIn.shared()
    stand_in.mode = "pass"
    yield stand_in
    stand_in.mode = "pass"
