"""ID numbers and phones written in free text (申请理由, a reviewer's 审核意见, a comment) are masked, by the regex the
logs use, for whoever reads them on the other side: the city reads the enterprise's reason masked in the case's
data, history and task, the enterprise reads the reviewer's comment masked in the case and its notices; each side
reads back what it typed itself as it typed it. What is stored stays whole."""
from __future__ import annotations

import json
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Case
from tests.procedures.steps import act_ok, task_of, upload
from tests.services.test_deadlines_decision import _lock_of
from tests.support.web import WebUser

PHONE, ID_NUMBER = "13907715678", "450103199007220022"
REVIEWER_ID = "450102198503150018"
REASON = f"项目已竣工验收，联系电话{PHONE}，身份证{ID_NUMBER}"
COMMENT = f"请核对人员身份证{REVIEWER_ID}的处罚决定书"
ENT_COMMENT = f"如有疑问请致电 139-0771-0101（{ID_NUMBER}）"


def _returned_unlock(app: Flask, ent: Any, city: Any) -> int:
    """ent-nanning asks to unlock 陆伟 with personal data in its reason, and comments on the case; the city returns
    it (补正) with an ID number in its comment."""
    case_id = int(ent.start("personnel_unlock").json["id"])
    act_ok(ent, case_id, {"kind": "penalty", "lock_ids": [_lock_of(app, "陆伟")], "reason": REASON,
                          "application_files": [upload(ent, case_id, "解锁申请表.pdf")],
                          "penalty_files": [upload(ent, case_id, "处罚决定书.pdf")]})
    assert WebUser(app, "ent-nanning").login().post(f"/cases/{case_id}/comments",
                                                    {"comment": ENT_COMMENT}).status_code == 302
    act_ok(city, case_id, {"decision": "return", "comment": COMMENT, "missing_items": ["penalty_files"]})
    return case_id


def _text(answer: Any) -> str:
    return json.dumps(answer, ensure_ascii=False)


def test_the_city_reads_the_enterprise_s_free_text_masked(as_user: Any, app: Flask) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = _returned_unlock(app, ent, city)

    case = city.get(f"/api/v1/cases/{case_id}").json
    text = _text(case)
    assert PHONE not in text and ID_NUMBER not in text and "0771-0101" not in text
    assert case["data"]["reason"] == "项目已竣工验收，联系电话139****5678，身份证4501**********0022"
    submitted = next(e for e in case["history"] if e["kind"] == "task_completed" and "reason" in e["payload"]["data"])
    assert submitted["payload"]["data"]["reason"] == case["data"]["reason"]
    comment = next(e for e in case["history"] if e["kind"] == "comment")
    assert comment["payload"]["text"] == "如有疑问请致电 139****0101（4501**********0022）"
    assert case["data"]["comment"] == COMMENT  # the authorities' own comment, as typed
    listed = city.get("/api/v1/cases?procedure=personnel_unlock").json
    assert ID_NUMBER not in _text(listed) and PHONE not in _text(listed)
    with app.app_context():  # stored as typed
        stored = db.session.scalar(select(Case.data).where(Case.id == case_id))
        assert stored["reason"] == REASON and stored["comment"] == COMMENT


def test_the_enterprise_reads_the_reviewer_s_comment_masked_and_its_own_text_whole(as_user: Any,
                                                                                    app: Flask) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = _returned_unlock(app, ent, city)

    case = ent.get(f"/api/v1/cases/{case_id}").json
    assert REVIEWER_ID not in _text(case)
    assert case["data"]["comment"] == "请核对人员身份证4501**********0018的处罚决定书"
    assert case["data"]["reason"] == REASON  # its own, to send again
    assert next(e for e in case["history"] if e["kind"] == "comment")["payload"]["text"] == ENT_COMMENT
    task = ent.get(f"/api/v1/tasks/{task_of(ent, case_id)['id']}").json  # the 补正 task, pre-filled
    assert task["data"]["reason"] == REASON and REVIEWER_ID not in _text(task)

    notices = ent.get("/api/v1/notifications").json["items"]
    supplement = next(n for n in notices if n["case_id"] == case_id and n["kind"] == "applicant_supplement")
    assert supplement["payload"]["comment"] == "请核对人员身份证4501**********0018的处罚决定书"
    assert REVIEWER_ID not in _text(notices)
