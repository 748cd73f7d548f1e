"""The pages offer a user only the procedures his kind of organisation can complete (`startOrganisations`), and
refuse the others when posted anyway; an individual employed nowhere is told so when he applies for 人员注销,
never that he is deregistered (信息查询 shows him 在职)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.db import unit_of_work
from app.extensions import db
from app.models import Case, Person
from app.services.demo import DEMO_PASSWORD, id_number
from app.services.identity.accounts import create_individual
from tests.support.web import WebUser

ENTERPRISES_ONLY = {"personnel_unlock": "项目人员解锁", "performance_record_edit": "投标业绩修改",
                    "commitment_entry": "入库信息填报", "historical_performance": "历史业绩补录",
                    "migrated_data_confirmation": "迁移数据确认", "personnel_deregistration": "人员注销"}


def _offered(html: str) -> set[str]:
    """The procedures the home page's 发起办件 offers, by key."""
    return {key for key in [*ENTERPRISES_ONLY, "project_registration", "data_upgrade_c_to_a"]
            if f'/cases/start/{key}"' in html}


def _cases(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Case)) or 0)


def test_a_construction_unit_is_offered_its_own_procedures_only(web: Callable[[str], WebUser], app: Flask) -> None:
    owner = web("owner-nanning")
    assert _offered(owner.html("/")) == {"project_registration", "data_upgrade_c_to_a"}
    before = _cases(app)
    refused = owner.post("/cases/start/personnel_unlock")  # 项目人员解锁 opened a case in one click
    assert refused.status_code == 403
    assert "您所在的单位类型不能发起此事项" in refused.get_data(as_text=True)
    assert _cases(app) == before


def test_an_enterprise_is_not_offered_the_project_registration(web: Callable[[str], WebUser]) -> None:
    ent = web("ent-nanning")
    offered = _offered(ent.html("/"))
    assert "project_registration" not in offered and set(ENTERPRISES_ONLY) <= offered
    rights = ent.html("/enterprise/operators")  # the procedures the main operator may grant his operators
    assert 'value="personnel_unlock"' in rights and 'value="project_registration"' not in rights
    refused = ent.post("/cases/start/project_registration", {"permit_number": "450103202512100301"})
    assert refused.status_code == 403 and "您所在的单位类型不能发起此事项" in refused.get_data(as_text=True)
    form = ent.get("/cases/start/project_registration")  # refused before it is filled in, not after
    assert form.status_code == 403 and "您所在的单位类型不能发起此事项" in form.get_data(as_text=True)


def test_the_procedures_list_of_the_api_says_which_organisations_start_each(as_user: Any) -> None:
    listed = {p["key"]: p for p in as_user("ent-nanning").get("/api/v1/procedures").json}
    assert listed["project_registration"]["start_organisations"] == ["construction_unit"]
    assert listed["personnel_unlock"]["start_organisations"] == ["enterprise"]


def _individual_employed_nowhere(app: Flask) -> str:
    """A person who registered himself (个人注册) and works for no enterprise."""
    with app.app_context(), unit_of_work():
        person = Person(id_number=id_number("45010319980808001"), name="黎明", phone="13977118888")
        db.session.add(person)
        db.session.flush()
        create_individual("liming", DEMO_PASSWORD, person, "450100", phone="13977118888")
    return "liming"


def test_an_individual_without_employer_is_told_so_not_that_he_is_deregistered(
        web: Callable[[str], WebUser], as_user: Any, app: Flask) -> None:
    username = _individual_employed_nowhere(app)
    page = web(username)
    assert "在职" in page.html("/records")
    before = _cases(app)
    answer = page.post("/cases/start/personnel_deregistration", {"mode": "non_cooperating",
                                                                 "leave_date": "2025-06-30"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 403  # not offered him at all (test_start_offer_matches_refusal.py)
    assert "您目前没有在册的工作单位，不能发起此事项" in html and "已注销" not in html
    api = as_user(username).start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2025-06-30"})
    assert api.status_code == 403 and api.json["code"] == "start_no_employer"
    assert _cases(app) == before
