"""A 受理通知书 for every receipt: an application refused (不予) and amended is received anew (earlier_applications)
with a fresh limit, and the applicant is told so in a new 受理通知书; the earlier one stays as it was."""
from __future__ import annotations

from typing import Any

from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models import CaseDocument
from tests.procedures.steps import act_ok, upload
from tests.services.test_deadlines_decision import _lock_of
from tests.support.deadlines import local

UNLOCK = {"kind": "duty_change", "reason": "项目负责人变更，需解除锁定"}


def _acceptances(app: Flask, case_id: int) -> list[dict[str, Any]]:
    with app.app_context():
        return [dict(d.content) for d in db.session.scalars(select(CaseDocument).where(
            CaseDocument.case_id == case_id, CaseDocument.kind == "acceptance").order_by(CaseDocument.id))]


def test_an_application_amended_after_a_refusal_gets_a_new_acceptance_notice(app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    lock_id = _lock_of(app, "覃丽")
    with freeze_time(local("2026-12-07 10:00")) as clock:  # Monday: due Thursday
        case_id = int(ent.start("personnel_unlock").json["id"])
        act_ok(ent, case_id, {**UNLOCK, "lock_ids": [lock_id], "application_files": [upload(ent, case_id)]})
        [first] = _acceptances(app, case_id)
        clock.move_to(local("2026-12-09 15:00"))
        act_ok(city, case_id, {"decision": "reject", "comment": "不符合解锁条件",
                               "reject_ground": "conditions_not_met"})
        clock.move_to(local("2026-12-14 09:00"))  # amended and applied again the next Monday: due Thursday the 17th
        act_ok(ent, case_id, {**UNLOCK, "lock_ids": [lock_id], "reason": "补充说明：负责人已正式变更",
                              "application_files": [upload(ent, case_id, "申请表（修改后）.pdf")]})
    assert (first["received"], first["due"]) == ("2026年12月7日", "2026年12月10日")
    earlier, again = _acceptances(app, case_id)
    assert earlier == first  # kept as it was
    assert (again["received"], again["due"]) == ("2026年12月14日", "2026年12月17日")
    assert again["number"] != first["number"]
