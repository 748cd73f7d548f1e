"""The leaving date of a deregistration (离职日期) lies between the first day the application supports (2000-01-01,
app/dates.FIRST_DAY) and today in China: 0001-01-01 or a date after today is a field error in Chinese, on the API
and on the start page (in English on the English pages), and no case is made."""
from __future__ import annotations

import re
from typing import Any

from freezegun import freeze_time
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case
from tests.procedures.steps import field_errors
from tests.procedures.test_personnel_deregistration import _person
from tests.support.web import WebUser

TOO_EARLY = "离职日期不能早于 2000-01-01"
TOO_LATE = "离职日期不能晚于今天"


def _cases(app: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(Case.id))))


def test_the_api_refuses_a_leaving_date_before_2000_or_after_today(as_user: Any, app: Any) -> None:
    ent, person = as_user("ent-nanning"), as_user("person")
    liang = _person(app, "梁海").id
    before = _cases(app)
    for day in ("0001-01-01", "1999-12-31"):
        by_employer = ent.start("personnel_deregistration", {"mode": "employer", "person_id": liang, "leave_date": day})
        assert field_errors(by_employer) == {"leave_date": TOO_EARLY}, day
        by_person = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": day})
        assert field_errors(by_person) == {"leave_date": TOO_EARLY}, day
    for day in ("9999-12-31", "2099-01-01"):
        assert field_errors(person.start("personnel_deregistration", {"mode": "non_cooperating",
                                                                      "leave_date": day})) == {"leave_date": TOO_LATE}
    assert _cases(app) == before
    first = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2000-01-01"})
    assert first.status_code == 201, first.json  # the first day itself is a leaving date


def test_today_is_the_day_in_china(as_user: Any, app: Any) -> None:
    person = as_user("person")
    with freeze_time("2026-12-08 16:30:00"):  # 2026-12-09 00:30 in China
        tomorrow = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-12-10"})
        assert field_errors(tomorrow) == {"leave_date": TOO_LATE}
        today = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-12-09"})
        assert today.status_code == 201, today.json


def test_the_start_page_refuses_a_leaving_date_out_of_bounds(app: Any) -> None:
    page = WebUser(app, "person").login()
    before = _cases(app)
    for day, message in (("0001-01-01", TOO_EARLY), ("9999-12-31", TOO_LATE)):
        answer = page.post("/cases/start/personnel_deregistration", {"mode": "non_cooperating", "leave_date": day})
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422, day
        assert message in re.findall(r'invalid-feedback[^>]*>([^<]*)<', html), day
    assert _cases(app) == before
    page.client.set_cookie("gjy_lang", "en")
    english = page.post("/cases/start/personnel_deregistration",
                        {"mode": "non_cooperating", "leave_date": "1999-12-31"})
    assert "The leaving date cannot be before 2000-01-01" in english.get_data(as_text=True)
