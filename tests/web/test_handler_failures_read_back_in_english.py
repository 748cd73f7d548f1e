"""A handler that finds the data changed since the form was checked fails its step: the case's 异常 holds its
message in Chinese (stored, as the API answers it). The message is built from a template its module registers
(STORED_TEXTS), so that the English pages can read it back into English, the numbers it holds kept."""
from __future__ import annotations

from typing import Any

from flask import Flask

from app.db import unit_of_work
from app.extensions import db
from app.models import Organisation, ProjectLock
from app.web.i18n import LANGUAGE_COOKIE, stored_text
from tests.procedures.steps import act
from tests.procedures.test_personnel_unlock_messages import _apply, _locks


def test_a_lock_moved_away_fails_the_release_with_a_message_the_english_pages_read(
        app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _locks(app)
    case_id = _apply(ent, "duty_change", [locks["覃丽"]])
    with app.app_context(), unit_of_work():  # 覃丽's lock moves to another enterprise while the case is open
        other = db.session.query(Organisation.id).filter(Organisation.credit_code.is_not(None),
                                                         Organisation.region_code == "450200").scalar()
        lock = db.session.get(ProjectLock, locks["覃丽"])
        assert lock is not None and other is not None
        lock.enterprise_id = other
    assert act(city, case_id, {"decision": "approve"}).status_code == 200
    case = ent.case(case_id)
    chinese = f"锁定记录 {locks['覃丽']} 不属于申请企业"
    assert case["status"] == "error" and case["error_message"].endswith(": " + chinese)  # the API: Chinese
    with app.test_request_context(headers={"Cookie": f"{LANGUAGE_COOKIE}=en"}):
        assert stored_text(chinese) == f"Lock {locks['覃丽']} does not belong to the applicant enterprise"
