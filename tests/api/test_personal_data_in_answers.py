"""ID numbers and phones an enterprise types into a case's forms (入库信息填报's personnel rows and contact phone)
are masked in the API's answers to everyone but the applicant side, as the pages show them: in the case's data,
its history (what each form submitted and changed), the case list and a task's pre-filled data."""
from __future__ import annotations

import json
from typing import Any

from app.services.demo import id_number
from tests.procedures.steps import act_ok, upload
from tests.procedures.test_commitment_entry import SIGN

NEW_CLERK = id_number("45010219950101123")
CONTACT = "13912345678"
CLERK_PHONE = "13987654321"


def _entered(ent: Any) -> int:
    started = ent.start("commitment_entry", {"sections": ["basic", "personnel", "good_behaviour"]})
    assert started.status_code == 201, started.json
    case_id = int(started.json["id"])
    act_ok(ent, case_id, {
        "basic": {"business_licence_number": "91450100MA5KAB123X", "bank_name": "中国工商银行南宁分行",
                  "bank_account": "2102101009000123456", "contact_name": "李明", "contact_phone": CONTACT},
        "licence_files": [upload(ent, case_id, "营业执照.pdf")],
        "personnel": [{"id_number": NEW_CLERK, "name": "黄敏", "kind": "bid_clerk", "phone": CLERK_PHONE,
                       "social_insurance_months": 12}],
        "good_behaviours": [{"title": "2025年度广西建筑业优秀企业", "awarded_on": "2025-12-20",
                             "issuer": "广西建筑业联合会"}],
        "review_files": [upload(ent, case_id, "证明.pdf")]})
    act_ok(ent, case_id, SIGN)  # on to the city's review of originals
    return case_id


def test_the_city_reads_the_enterprise_s_id_numbers_and_phones_masked(as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = _entered(ent)
    secrets = (NEW_CLERK, CONTACT, CLERK_PHONE)

    answers = {"case": city.get(f"/api/v1/cases/{case_id}").json,
               "list": city.get("/api/v1/cases?procedure=commitment_entry").json,
               "task": city.get(f"/api/v1/tasks/{city.task_for(case_id)['id']}").json}
    for name, answer in answers.items():
        text = json.dumps(answer, ensure_ascii=False)
        assert not [s for s in secrets if s in text], name
    case = answers["case"]
    assert case["data"]["personnel"][0]["id_number"] == NEW_CLERK[:4] + "*" * 10 + NEW_CLERK[-4:]
    assert case["data"]["basic"]["contact_phone"] == "139****5678"
    submitted = next(e for e in case["history"] if e["kind"] == "task_completed")
    assert submitted["payload"]["changes"]["basic"]["new"]["contact_phone"] == "139****5678"
    assert submitted["payload"]["data"]["personnel"][0]["phone"] == "139****4321"
    assert case["data"]["basic"]["contact_name"] == "李明"  # only what identifies a person by number is masked

    own = ent.get(f"/api/v1/cases/{case_id}").json  # the enterprise reads back what it entered
    assert own["data"]["personnel"][0]["id_number"] == NEW_CLERK and own["data"]["basic"]["contact_phone"] == CONTACT
