"""A version number typed or tampered into the workspace's forms and links: thousands of digits, a number past the
database's integer, digits other than ASCII ones ("１", "١") name no version; the page says so in Chinese (404),
never a 500, and never acts on another version than the one asked for."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.web.test_workspace_pages import UNLOCK, _second_version

ODD_VERSIONS = ["9" * 5000, str(10**30), "2147483648", "１", "١", "-1", "0"]
REFUSED = "未找到该版本"


def _current(analyst: Any) -> str:
    page = analyst.html(f"/workspace/{UNLOCK}")
    return page.split('data-testid="current-version">')[1].split("<")[0]


@pytest.mark.parametrize("version", ODD_VERSIONS, ids=lambda v: v[:12])
def test_making_an_odd_version_current_is_refused(app: Flask, web: Any, version: str) -> None:
    _second_version(app)
    analyst = web("analyst")
    answer = analyst.post(f"/workspace/{UNLOCK}/current", {"version": version, "note": "回退"})
    assert answer.status_code == 404, version
    assert REFUSED in answer.get_data(as_text=True)
    assert _current(analyst) == "2"  # "１" did not make version 1 current


def test_an_empty_version_still_asks_for_one(web: Any) -> None:
    answer = web("analyst").post(f"/workspace/{UNLOCK}/current", {"version": "", "note": "回退"},
                                 follow_redirects=True)
    assert "请选择版本" in answer.get_data(as_text=True)


@pytest.mark.parametrize("version", ODD_VERSIONS, ids=lambda v: v[:12])
def test_the_diff_and_migration_pages_refuse_an_odd_version(app: Flask, web: Any, version: str) -> None:
    _second_version(app)
    analyst = web("analyst")
    for answer in (analyst.get(f"/workspace/{UNLOCK}/diff", query_string={"old": version, "new": "2"}),
                   analyst.get(f"/workspace/{UNLOCK}/migration", query_string={"from_version": version}),
                   analyst.post(f"/workspace/{UNLOCK}/migration",
                                {"from_version": version, "to_version": "2", "action": "dry_run"})):
        assert answer.status_code == 404, (version, answer.request.path)
        assert REFUSED in answer.get_data(as_text=True)


def test_a_version_path_of_other_digits_names_none(web: Any) -> None:
    analyst = web("analyst")
    for path in (f"/workspace/{UNLOCK}/versions/１", f"/workspace/{UNLOCK}/versions/{'1' * 5000}",
                 f"/workspace/{UNLOCK}/versions/١/files.zip"):
        assert analyst.get(path).status_code == 404, path
