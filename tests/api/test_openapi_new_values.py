"""The OpenAPI document names the values the API now returns: the document kind `decision` (审核决定书, an approval
whose case still waits for another system) and the task deadline_state `supplement` (the 补正 date on the
applicant's own task: informative, not a time-limit state)."""
from __future__ import annotations

from typing import Any


def _schema(client: Any, name: str) -> dict[str, Any]:
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    return document.json["components"]["schemas"][name]  # type: ignore[no-any-return]


def test_the_document_kinds_include_the_decision(client: Any) -> None:
    kind = _schema(client, "CaseDocument")["properties"]["kind"]["description"]
    for name in ("acceptance", "supplement", "refusal", "completion", "sanction", "decision"):
        assert name in kind
    assert "审核决定书" in kind


def test_the_task_deadline_state_describes_the_supplement_date(client: Any) -> None:
    state = _schema(client, "Task")["properties"]["deadline_state"]
    described = state.get("description", "")
    for name in ("on_time", "warning", "overdue", "paused", "completed_on_time", "completed_late", "supplement"):
        assert name in described
    assert "补正" in described and "not an SLA state" in described
