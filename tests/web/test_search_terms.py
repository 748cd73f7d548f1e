"""Search boxes take the user's words literally: % and _ are characters, not wildcards."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.web import WebUser
from tests.web.test_pages import case_number, started_and_submitted


def test_inbox_search_does_not_treat_underscore_as_a_wildcard(web: Callable[[str], WebUser]) -> None:
    ent, case_id, _ = started_and_submitted(web)
    number = case_number(ent, case_id)  # JS-2026-000001
    city = web("city-nanning")
    assert number in city.html(f"/tasks?tab=claimable&q={number}")
    assert number not in city.html(f"/tasks?tab=claimable&q={number.replace('-', '_')}")
    assert number not in city.html("/tasks?tab=claimable&q=%25")


def test_record_search_does_not_treat_percent_or_underscore_as_wildcards(as_user: Any) -> None:
    province = as_user("province")
    names = lambda q: [p["name"] for p in province.get(f"/api/v1/records/persons?q={q}").json["items"]]  # noqa: E731
    assert names("梁") == ["梁海"]
    assert names("梁_") == [] and names("%25") == []
