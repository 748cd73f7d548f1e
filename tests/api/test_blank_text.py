"""Text that is only whitespace is no text: a required or minLength field sent through the API as spaces,
ideographic spaces or line breaks is refused as the web form refuses it (the form's strip), with the form's
message; text around which spaces were typed is stored without them. One rule for every form and both paths
(services.procedures.forms.validate)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Person
from tests.procedures.steps import act, act_ok, field_errors, upload

BLANKS = ["   ", "\u3000\u3000 \n", "\t\r\n"]


def _person_applies(person: Any) -> int:
    case_id = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"}
                           ).json["id"]
    act_ok(person, case_id, {"statement": "原单位拒绝出具离职证明，也不在系统中办理注销", "paper_delivery": "counter",
                             **{name: [upload(person, case_id)]
                                for name in ("application_files", "separation_files", "id_card_files")}})
    return int(case_id)


def test_a_refusal_with_a_blank_reason_is_refused_as_on_the_page(as_user: Any) -> None:
    person, city = as_user("person"), as_user("city-nanning")
    case_id = _person_applies(person)
    for blank in BLANKS:
        assert field_errors(act(city, case_id, {"decision": "reject", "comment": blank})) == {
            "comment": "不予注销时须填写理由"}
    assert person.case(case_id)["status"] == "running"
    assert [d["kind"] for d in person.get(f"/api/v1/cases/{case_id}/documents").json] == [
        "acceptance"]  # its 受理通知书 only: no 不予注销决定书 with an empty 理由
    act_ok(city, case_id, {"decision": "reject", "comment": "\u3000劳动合同缺少签字页 \n"})
    case = person.case(case_id)
    assert case["status"] == "waiting_for_applicant"
    assert case["data"]["comment"] == "劳动合同缺少签字页"  # stored as the page stores it


def test_required_and_min_length_text_of_any_form_is_refused_when_blank(as_user: Any, app: Any) -> None:
    person = as_user("person")
    started = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"})
    case_id = started.json["id"]
    files = {name: [upload(person, case_id)] for name in ("application_files", "separation_files", "id_card_files")}
    blank = field_errors(act(person, case_id, {"statement": "\u3000" * 12, "paper_delivery": "counter", **files}))
    assert blank == {"statement": "此项为必填项"}  # required: as the page says of an empty box
    padded = field_errors(act(person, case_id, {"statement": "  拒不办理" + "\u3000" * 8, "paper_delivery": "counter",
                                                **files}))
    assert padded == {"statement": "请说明原单位不配合注销的情况（至少10个字）"}  # minLength counts the text only
    # A start form: an optional text sent blank is left out, as an empty box is.
    ent = as_user("ent-nanning")
    with app.app_context():
        liang = db.session.scalar(select(Person.id).where(Person.name == "梁海"))
    done = ent.start("personnel_deregistration", {"mode": "employer", "person_id": liang, "leave_date": "2026-11-20",
                                                  "reason": " \u3000 "})
    assert done.status_code == 201 and "reason" not in done.json["data"], done.json
