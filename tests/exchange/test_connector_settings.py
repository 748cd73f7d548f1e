"""A system's base URL as issue 22 named it, GJY_<SYSTEM>_URL (GJY_NATIONAL_PLATFORM_URL), reaches its connector:
only GJY_EXCHANGE_<SYSTEM>_URL was read, so a deployment that followed the issue sent nothing (messages queued
with "未配置 GJY_EXCHANGE_NATIONAL_PLATFORM_URL"), and a demo delivered to its stand-in instead."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.config import from_environment
from app.integrations.exchange import HttpConnector, UnconfiguredConnector, make_connector


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, object]:
    for name in ("GJY_NATIONAL_PLATFORM_URL", "GJY_EXCHANGE_NATIONAL_PLATFORM_URL", "GJY_DEMO"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return from_environment(str(tmp_path))


def test_the_url_named_in_the_issue_configures_the_connector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config(tmp_path, monkeypatch, GJY_NATIONAL_PLATFORM_URL="http://127.0.0.1:5999")
    connector = make_connector(config, "national_platform")
    assert isinstance(connector, HttpConnector) and connector.url == "http://127.0.0.1:5999"


def test_the_exchange_prefixed_name_wins_where_both_are_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config(tmp_path, monkeypatch, GJY_NATIONAL_PLATFORM_URL="http://127.0.0.1:5999",
                     GJY_EXCHANGE_NATIONAL_PLATFORM_URL="http://127.0.0.1:5998")
    connector = make_connector(config, "national_platform")
    assert isinstance(connector, HttpConnector) and connector.url == "http://127.0.0.1:5998"


def test_without_either_the_health_names_both_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    connector = make_connector(_config(tmp_path, monkeypatch), "national_platform")
    assert isinstance(connector, UnconfiguredConnector)
    assert connector.health().detail == \
        "未配置 GJY_NATIONAL_PLATFORM_URL（或 GJY_EXCHANGE_NATIONAL_PLATFORM_URL）"
