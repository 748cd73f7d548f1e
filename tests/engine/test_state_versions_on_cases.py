"""A case whose saved state another serializer version wrote: an older one is migrated and the case moves on;
a newer (or unknown) one is refused as an unreadable state, shown on the case (异常), not a server error."""
from __future__ import annotations

import json
import zlib
from typing import Any

from flask import Flask
from sqlalchemy import select, update

from app.db import unit_of_work
from app.engine import SERIALIZER_VERSION
from app.extensions import db
from app.models import WorkflowState
from tests.procedures.steps import act, act_ok


def _rewrite_state(app: Flask, case_id: int, version: str) -> None:
    """The state row as if another serializer version had written it (column and document agree)."""
    with app.app_context(), unit_of_work():
        blob = db.session.scalar(select(WorkflowState.state).where(WorkflowState.case_id == case_id))
        state = json.loads(zlib.decompress(bytes(blob)))  # type: ignore[arg-type]
        state["serializer_version"] = version
        db.session.execute(update(WorkflowState).where(WorkflowState.case_id == case_id).values(
            state=zlib.compress(json.dumps(state).encode("utf-8")), serializer_version=version))


def _submitted(as_user: Any, procedure: str) -> int:
    ent = as_user("ent-nanning")
    case = ent.start(procedure).json
    assert ent.complete(case["open_tasks"][0]["id"], {"title": "材料", "amount": 1}).status_code == 200
    return int(case["id"])


def test_a_state_of_an_older_serializer_version_is_migrated_and_the_case_moves_on(
        app: Flask, as_user: Any, review_procedure: str) -> None:
    case_id = _submitted(as_user, review_procedure)
    _rewrite_state(app, case_id, "1.4")
    act_ok(as_user("city-nanning"), case_id, {"decision": "approve"})
    assert as_user("ent-nanning").case(case_id)["status"] == "completed"
    with app.app_context():
        assert db.session.scalar(select(WorkflowState.serializer_version).where(
            WorkflowState.case_id == case_id)) == SERIALIZER_VERSION


def test_a_state_of_a_newer_serializer_version_is_refused_and_shown_on_the_case(
        app: Flask, as_user: Any, review_procedure: str) -> None:
    case_id = _submitted(as_user, review_procedure)
    _rewrite_state(app, case_id, "9.0")
    refused = act(as_user("city-nanning"), case_id, {"decision": "approve"})
    assert refused.status_code == 422 and refused.json["code"] == "case_state_unreadable", refused.json
    case = as_user("admin").case(case_id)
    assert case["status"] == "error" and "流程数据无法读取" in case["error_message"]
