"""A case in 异常 stores "{step}: {error}" in Chinese (the API answers it as it is); the English case page reads the
whole text back in English: the step by the English name its procedure gives it (nameEn), the handler's message by
the catalogue, the numbers it holds kept; the history's error event too."""
from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask

from app.db import unit_of_work
from app.extensions import db
from app.models import Organisation, ProjectLock
from tests.procedures.steps import act
from tests.procedures.test_personnel_unlock_messages import _apply, _locks
from tests.support.web import WebUser


def _failed_release(app: Flask, as_user: Any) -> tuple[int, int]:
    """An unlock case whose release fails: 覃丽's lock moved to another enterprise while the case was open."""
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _locks(app)
    case_id = _apply(ent, "duty_change", [locks["覃丽"]])
    with app.app_context(), unit_of_work():
        other = db.session.query(Organisation.id).filter(Organisation.credit_code.is_not(None),
                                                         Organisation.region_code == "450200").scalar()
        lock = db.session.get(ProjectLock, locks["覃丽"])
        assert lock is not None and other is not None
        lock.enterprise_id = other
    assert act(city, case_id, {"decision": "approve"}).status_code == 200
    return case_id, locks["覃丽"]


def _timeline(page: str) -> str:
    found = re.search(r'data-testid="timeline".*?id="comments"', page, re.DOTALL)
    assert found, "the case's history is shown"
    return found.group(0)


def test_a_case_in_error_reads_its_step_and_message_in_english_on_the_english_page(
        app: Flask, as_user: Any) -> None:
    case_id, lock_id = _failed_release(app, as_user)
    stored = as_user("ent-nanning").case(case_id)["error_message"]
    chinese = f"锁定记录 {lock_id} 不属于申请企业"
    step = stored.removesuffix(": " + chinese)
    assert stored.endswith(": " + chinese) and step and re.search(r"[\u4e00-\u9fff]", step)  # the API: Chinese
    reader = WebUser(app, "ent-nanning").login()
    assert stored in html.unescape(reader.html(f"/cases/{case_id}"))  # the Chinese page: as stored
    reader.get("/lang/en")
    page = html.unescape(reader.html(f"/cases/{case_id}"))
    english = f"Lock {lock_id} does not belong to the applicant enterprise"
    shown = re.search(r'<dd class="col-7 text-danger">\s*(.*?)\s*<', page, re.DOTALL)
    assert shown, "the case's 异常 is shown"
    step_en, _, message = shown.group(1).partition(": ")
    assert message == english and step_en and not re.search(r"[\u4e00-\u9fff]", step_en), shown.group(1)
    timeline = _timeline(page)
    assert english in timeline and chinese not in timeline and stored not in page
