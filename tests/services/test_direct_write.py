"""direct_write.write_now writes a step's rows as the unit-of-work flush would: the same values reach
the database, the version counter is checked and bumped, the objects are left clean (nothing written
twice), and what it cannot write exactly is left to the flush (SQLite and PostgreSQL)."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.orm.exc import StaleDataError

from app.db import unit_of_work
from app.direct_write import write_now
from app.extensions import db
from app.models import Case, Task, TaskStatus, User, UserRole
from tests.support.factories import make_case


class Statements:
    """The statements the session's engine runs while in use."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __enter__(self) -> Statements:
        event.listen(db.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(db.engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.seen.append(statement.split()[0].upper())


def new_task(case: Case, title: str = "审核材料") -> Task:
    return Task(id=str(uuid.uuid4()), case=case, bpmn_id="review", title=title, lane="市级住建部门",
                role="city_reviewer", scope="case_city", region_code="450100", form_key="review_decision")


def test_a_new_row_is_inserted_with_its_defaults_and_its_parent_key_and_left_clean(app: Any) -> None:
    with app.app_context():
        with unit_of_work():
            case = make_case()
            task = new_task(case)  # the case given as an object: its id becomes the foreign key
            db.session.add(task)
            write_now(db.session(), [task])
            assert not db.session.new and not db.session.dirty
            with Statements() as statements:
                db.session.flush()
                assert (task.case_id, task.status, task.case) == (case.id, TaskStatus.OPEN, case)
                assert task.created_at is not None and task.properties == {}
            assert statements.seen == []  # nothing written twice, nothing read back
            task_id, created = task.id, task.created_at
        db.session.remove()
        stored = db.session.get(Task, task_id)
        assert stored is not None
        assert (stored.case_id, stored.status, stored.created_at, stored.properties) == (
            case.id, TaskStatus.OPEN, created, {})


def test_a_changed_row_writes_only_its_changed_columns_and_bumps_its_version(app: Any) -> None:
    with app.app_context():
        with unit_of_work():
            case = make_case()
            seen_version = case.lock_version
            case.current_step = "审核材料"
            case.title = case.title  # set back to the loaded value: not a change
            with Statements() as statements:
                write_now(db.session(), [case])
                db.session.flush()
            assert statements.seen == ["UPDATE"]
            assert case.lock_version == seen_version + 1 and not db.session.dirty
        db.session.remove()
        stored = db.session.get(Case, case.id)
        assert stored is not None
        assert (stored.current_step, stored.lock_version) == ("审核材料", seen_version + 1)


@pytest.mark.committing  # a second connection commits a change while the session holds the row
def test_a_row_changed_by_another_transaction_is_refused(app: Any) -> None:
    with app.app_context():
        with unit_of_work():
            case_id = make_case().id
        with pytest.raises(StaleDataError):
            with unit_of_work():
                case = db.session.get(Case, case_id)
                assert case is not None
                with db.engine.connect() as other:  # another request moved the case on meanwhile
                    other.execute(update(Case).where(Case.id == case_id).values(lock_version=Case.lock_version + 1))
                    other.commit()
                case.current_step = "办结"
                write_now(db.session(), [case])
        db.session.remove()
        assert db.session.scalar(select(Case.current_step).where(Case.id == case_id)) is None


def test_a_changed_collection_is_left_to_the_flush(app: Any) -> None:
    with app.app_context():
        with unit_of_work():
            user = db.session.scalar(select(User).where(User.username == "analyst"))
            assert user is not None
            roles_before = {r.role for r in user.role_rows}
            user.role_rows.append(UserRole(role="supervisor"))
            user.display_name = "业务分析员（兼）"
            write_now(db.session(), [user])
            assert user in db.session.dirty  # not written here: the flush syncs the new role's user_id
            user_id = user.id
        db.session.remove()
        roles = set(db.session.scalars(text("SELECT role FROM user_roles WHERE user_id = :u"), {"u": user_id}))
        assert roles == roles_before | {"supervisor"}
        assert db.session.scalar(select(User.display_name).where(User.id == user_id)) == "业务分析员（兼）"
