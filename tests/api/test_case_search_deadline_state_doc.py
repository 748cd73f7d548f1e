"""The API's case search documents what its deadline_state filter matches: the stored state each row reports, so
that a case paused for 补正 after its limit passed is found as "paused" (the dashboard API counts it red)."""
from __future__ import annotations

from typing import Any


def test_deadline_state_parameter_says_it_filters_by_the_stored_state(as_user: Any) -> None:
    spec = as_user("city-nanning").get("/api/v1/openapi.json").json
    parameter = next(p for p in spec["paths"]["/api/v1/cases"]["get"]["parameters"] if p["name"] == "deadline_state")
    description = parameter["description"]
    for words in ("stored", "deadline_state", "paused", "dashboard"):
        assert words in description, words
