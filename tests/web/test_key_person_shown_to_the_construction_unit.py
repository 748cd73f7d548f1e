"""在建项目: the construction unit (owner-nanning) reads the key person its own registration named (梁海, the
contractor's) by name on its case page, deregistered since; it read （已选对象）, the lookup of his title being
filtered by the persons it may see, though the case naming him is one it may read."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.records.lookup import person_titles
from app.web.data_display import SELECTED
from tests.procedures.steps import act_ok
from tests.support.web import WebUser
from tests.web.test_deregistered_key_person import SHOWN, _cells, _deregister, _person, _submitted_with_liang_hai


def test_the_construction_unit_reads_its_deregistered_key_person_by_name_on_its_case_page(
        app: Flask, as_user: Any, web: Callable[[str], WebUser]) -> None:
    case_id = _submitted_with_liang_hai(app, as_user)
    act_ok(as_user("city-nanning"), case_id, {"decision": "approve"})
    _deregister(app, _person(app, "梁海"))
    owner, city = web("owner-nanning"), web("city-nanning")
    mine, theirs = _cells(owner.html(f"/cases/{case_id}")), _cells(city.html(f"/cases/{case_id}"))
    assert SHOWN in theirs
    assert SHOWN in mine and SELECTED not in mine
    assert not any(SELECTED in cell for cell in mine)


def test_the_construction_unit_reads_the_key_person_by_name_on_its_submitted_task(
        app: Flask, as_user: Any, web: Callable[[str], WebUser]) -> None:
    """The task page too: the owner's finished application step shows what it submitted."""
    owner = as_user("owner-nanning")
    case_id = _submitted_with_liang_hai(app, as_user)
    _deregister(app, _person(app, "梁海"))
    [task_id] = {e["task_id"] for e in owner.case(case_id)["history"]
                 if e["kind"] == "task_completed" and e.get("task_id")}
    cells = _cells(web("owner-nanning").html(f"/tasks/{task_id}"))
    assert SHOWN in cells and not any(SELECTED in cell for cell in cells)


def test_the_lookup_widens_only_for_persons_a_stored_case_names(app: Flask) -> None:
    """Data that is not a stored case's (the sandbox's, typed by an analyst) keeps the viewer's visibility."""
    person_id = _person(app, "梁海")
    _deregister(app, person_id)
    with app.app_context():
        owner = db.session.scalars(select(User).where(User.username == "owner-nanning")).one()
        assert person_titles(owner, [person_id]) == {}
        assert person_titles(owner, [person_id], named_by_case=True) == {person_id: SHOWN}
