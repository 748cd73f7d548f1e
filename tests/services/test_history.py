"""Case history: events are plain ORM rows of the transaction; nothing recorded is lost or unseen, and
nothing recorded inside a rolled-back savepoint survives (SQLite and PostgreSQL)."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import unit_of_work
from app.extensions import db
from app.models import CaseEvent
from app.services.cases import history
from tests.support.factories import make_case


def kinds(case_id: int) -> list[str]:
    return list(db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)))


def test_events_are_visible_to_reads_in_the_same_transaction_and_kept_in_order(app: Any) -> None:
    with app.app_context():
        with unit_of_work():
            case = make_case()
            for kind in ("case_started", "task_created", "task_claimed"):
                history.record(case, kind)
            assert [e.kind for e in history.list_events(case)] == ["case_started", "task_created", "task_claimed"]
            history.record(case, "comment", payload={"text": "看看"})
        db.session.remove()
        assert kinds(case.id) == ["case_started", "task_created", "task_claimed", "comment"]


def test_a_rolled_back_savepoint_drops_its_events_and_keeps_the_earlier_ones(app: Any) -> None:
    with app.app_context():
        with unit_of_work():
            case = make_case()
            history.record(case, "task_completed")
            with pytest.raises(ConnectionError):
                with db.session.begin_nested():
                    history.record(case, "handler_ran")
                    raise ConnectionError("登记系统暂时不可用")
            history.record(case, "error")
        db.session.remove()
        assert kinds(case.id) == ["task_completed", "error"]


def test_a_failed_transaction_writes_none_of_its_events(app: Any) -> None:
    with app.app_context():
        with unit_of_work():
            case = make_case()
        with pytest.raises(ValueError), unit_of_work():
            history.record(case, "task_completed")
            raise ValueError("the request failed")
        with unit_of_work():
            history.record(case, "comment")
        db.session.remove()
        assert db.session.scalar(select(func.count()).select_from(CaseEvent)
                                 .where(CaseEvent.case_id == case.id)) == 1
