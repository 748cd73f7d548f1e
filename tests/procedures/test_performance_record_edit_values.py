"""performance_record_edit: the new values an applicant types (blank, full-width digits, leading zeros).

A blank new value (spaces, a full-width space) is refused at submission and cannot be approved; a contract amount
is read in ASCII digits (full-width ones as a Chinese IME types them are normalised) and stored as the records'
amounts are, with two decimals, so that the trading platform receives "3350.00", not "３３５０".
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import Case, OutboxMessage, PerformanceRecord
from tests.procedures.steps import act, act_ok, field_errors, upload

RECORD = "南宁滨江大道改造工程"  # contract_amount "3200.00", project_manager 陆伟
ALL_ORIGINALS = {"original_bid_award": True, "original_contract": True, "original_permit": True,
                 "original_completion": True}


def _record(app: Any) -> PerformanceRecord:
    with app.app_context():
        record = db.session.scalar(select(PerformanceRecord).where(PerformanceRecord.project_name == RECORD))
        db.session.expunge(record)
        return record


def _start_with_documents(ent: Any, app: Any) -> tuple[int, dict[str, list[str]]]:
    started = ent.start("performance_record_edit", {"record_id": _record(app).id})
    assert started.status_code == 201, started.json
    case_id = int(started.json["id"])
    docs = {"bid_award_files": [upload(ent, case_id, "中标通知书.pdf")],
            "contract_files": [upload(ent, case_id, "施工合同.pdf")],
            "permit_files": [upload(ent, case_id, "施工许可证.pdf")],
            "completion_files": [upload(ent, case_id, "竣工验收合格意见书.pdf")]}
    return case_id, docs


def test_a_blank_new_value_is_refused_at_submission(as_user: Any, app: Any) -> None:
    ent = as_user("ent-nanning")
    case_id, docs = _start_with_documents(ent, app)
    for field in ("project_manager", "project_name", "construction_unit"):
        for blank in ("  ", "\u3000", " \u3000 "):
            changes = [{"field": field, "new_value": blank}]
            errors = field_errors(act(ent, case_id, {"changes": changes, "reason": "项目经理登记有误", **docs}))
            assert errors == {"changes.0.new_value": "新值不能为空"}, (field, blank)
    record = _record(app)
    assert record.project_name == RECORD and record.fields["project_manager"] == "陆伟"


def test_a_blank_new_value_cannot_be_approved(as_user: Any, app: Any) -> None:
    """A case whose stated new value is blank (submitted before the check existed) is not applied."""
    ent, province = as_user("ent-nanning"), as_user("province")
    case_id, docs = _start_with_documents(ent, app)
    act_ok(ent, case_id, {"changes": [{"field": "project_manager", "new_value": "覃丽"}],
                          "reason": "项目经理登记有误", **docs})
    with app.app_context(), unit_of_work():
        case = db.session.get(Case, case_id)
        case.data = {**case.data, "changes": [{"field": "project_manager", "old_value": "陆伟",
                                               "new_value": "\u3000"}]}
    errors = field_errors(act(province, case_id, {"decision": "approve", **ALL_ORIGINALS}))
    assert set(errors) == {"decision"}
    assert _record(app).fields["project_manager"] == "陆伟" and ent.case(case_id)["status"] == "running"


def test_a_contract_amount_is_read_in_ascii_digits_and_stored_as_the_records_are(as_user: Any, app: Any) -> None:
    ent, province = as_user("ent-nanning"), as_user("province")
    case_id, docs = _start_with_documents(ent, app)
    for typed in ("٣٣٥٠", "3350.٥"):  # other scripts' digits are not amounts (Arabic-Indic)
        odd = [{"field": "contract_amount", "new_value": typed}]
        assert field_errors(act(ent, case_id, {"changes": odd, "reason": "合同金额录入错误", **docs})) == {
            "changes.0.new_value": "合同金额应为数字（万元），最多两位小数"}, typed
    for same in ("3200", "０３２００．０", "003200.00"):  # the recorded amount however typed
        unchanged = [{"field": "contract_amount", "new_value": same}]
        assert field_errors(act(ent, case_id, {"changes": unchanged, "reason": "合同金额录入错误", **docs})) == {
            "changes.0.new_value": "新值与原值相同"}, same
    act_ok(ent, case_id, {"changes": [{"field": "contract_amount", "new_value": "３３５０"}],
                          "reason": "合同金额录入错误", **docs})
    assert ent.case(case_id)["data"]["changes"][0]["new_value"] == "3350.00"  # what the reviewer sees
    act_ok(province, case_id, {"decision": "approve", **ALL_ORIGINALS})
    assert _record(app).fields["contract_amount"] == "3350.00"
    with app.app_context():
        sent = db.session.scalars(select(OutboxMessage.payload).where(
            OutboxMessage.kind == "trading_platform.performance_record", OutboxMessage.case_id == case_id)).all()
    assert [p["fields"]["contract_amount"] for p in sent] == ["3350.00"]


def test_leading_zeros_are_not_stored(as_user: Any, app: Any) -> None:
    ent, province = as_user("ent-nanning"), as_user("province")
    case_id, docs = _start_with_documents(ent, app)
    act_ok(ent, case_id, {"changes": [{"field": "contract_amount", "new_value": "000000000001"}],
                          "reason": "合同金额录入错误", **docs})
    act_ok(province, case_id, {"decision": "approve", **ALL_ORIGINALS})
    assert _record(app).fields["contract_amount"] == "1.00"
