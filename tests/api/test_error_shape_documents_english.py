"""The documented error shape (the OpenAPI document's `Error.details`) names the English the answers carry beside
the Chinese: `fields_en` beside `fields`, `problem_en` in each of a refused deploy's `problems` (app/api/errors.py)."""
from __future__ import annotations

from typing import Any


def test_the_openapi_error_details_name_the_english_beside_the_chinese(client: Any, as_user: Any) -> None:
    described = client.get("/api/v1/openapi.json").json["components"]["schemas"]["Error"]["properties"]["details"]
    assert "`fields_en`" in described["description"] and "`problem_en`" in described["description"], described
    refused = as_user("ent-nanning").post("/api/v1/tokens", {"scopes": []})  # and the answers carry it
    assert refused.status_code == 422 and set(refused.json["details"]) == {"fields", "fields_en"}, refused.json
