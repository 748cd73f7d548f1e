"""在建项目: a key person deregistered (人员注销) after the construction unit chose him is still shown by name, with
his masked ID number and marked 已注销, on the reviewer's case and task pages (he is no longer among anyone's
choices); the approval refused because of him names him."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import Person, PersonStatus, User
from app.services.demo import id_number
from app.services.records.lookup import person_titles
from app.web.data_display import SELECTED
from tests.procedures.steps import act, act_ok, task_of
from tests.support.web import WebUser

PERMIT = "450103202512100301"
LIANG_HAI = id_number("45010719920105003")  # 梁海 of the Nanning enterprise (the contractor)
SHOWN = f"梁海（4501**********{LIANG_HAI[-4:]}，已注销）"


def _person(app: Flask, name: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(Person.id).where(Person.name == name)))


def _deregister(app: Flask, person_id: int) -> None:
    """As dereg.deregister_person does once a 人员注销 is approved."""
    with app.app_context(), unit_of_work():
        person = db.session.get(Person, person_id)
        assert person is not None
        person.status = PersonStatus.DEREGISTERED


def _submitted_with_liang_hai(app: Flask, as_user: Any) -> int:
    """owner-nanning's registration naming 梁海 as PM and 韦明 as chief supervisor, submitted to the city."""
    owner = as_user("owner-nanning")
    started = owner.start("project_registration", {"permit_number": PERMIT})
    assert started.status_code == 201, started.json
    case_id = int(started.json["id"])
    act_ok(owner, case_id, {
        "key_personnel": [{"person_id": _person(app, "梁海"), "role": "project_manager"},
                          {"person_id": _person(app, "韦明"), "role": "chief_supervisor"}],
        "stages": [{"stage": "监督注册", "date": "2025-12-01"}], "scale": "建筑面积 24000 平方米",
        "investment": "9800.00"})
    return case_id


def _cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]


def test_a_key_person_deregistered_after_being_chosen_is_shown_by_name_to_the_reviewer(
        app: Flask, as_user: Any, web: Callable[[str], WebUser]) -> None:
    case_id = _submitted_with_liang_hai(app, as_user)
    _deregister(app, _person(app, "梁海"))
    city = web("city-nanning")
    review = task_of(as_user("city-nanning"), case_id)
    assert review is not None
    for page in (f"/cases/{case_id}", f"/tasks/{review['id']}"):
        cells = _cells(city.html(page))
        assert SHOWN in cells, page
        assert SELECTED not in cells, page
    city.get("/lang/en")
    assert f"梁海 (4501**********{LIANG_HAI[-4:]}, deregistered)" in _cells(city.html(f"/cases/{case_id}"))


def test_the_approval_refused_for_a_deregistered_key_person_names_him(app: Flask, as_user: Any) -> None:
    case_id = _submitted_with_liang_hai(app, as_user)
    _deregister(app, _person(app, "梁海"))
    refused = act(as_user("city-nanning"), case_id, {"decision": "approve"})
    assert refused.status_code == 422, refused.json
    assert refused.json["details"]["fields"]["decision"] == \
        f"梁海（4501**********{LIANG_HAI[-4:]}）已注销，不能确定为项目关键岗位人员"


def test_a_chosen_person_s_title_is_looked_up_only_for_viewers_who_may_see_him(app: Flask) -> None:
    person_id = _person(app, "梁海")
    _deregister(app, person_id)
    with app.app_context():
        def viewer(username: str) -> User:
            return db.session.scalars(select(User).where(User.username == username)).one()
        assert person_titles(viewer("city-nanning"), [person_id, 10**9]) == {person_id: SHOWN}
        assert person_titles(viewer("city-liuzhou"), [person_id]) == {}
