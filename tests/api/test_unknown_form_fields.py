"""A field the form does not define, sent through the API at any depth (top level, in a nested object, in an
object of a list), is refused with 422 and an error at its path; nothing is stored and the case stays where it
was. A field the form defines but hides by its condition (x-conditional) is still the form's own: accepted as
before. One rule for every form (services.procedures.forms.validate)."""
from __future__ import annotations

from typing import Any

from flask import Flask

from tests.procedures.steps import field_errors
from tests.procedures.test_data_upgrade_b_to_a import (
    B_PROJECT,
    case_count,
    project_id,
    record_data,
    start_case,
    start_data,
    work,
)

UNKNOWN = "表单中没有该字段"


def test_an_unknown_field_of_a_start_form_is_refused_and_no_case_is_started(as_user: Any, app: Flask) -> None:
    ent = as_user("ent-nanning")
    before = case_count(app)
    data = {**start_data(project_id(ent, B_PROJECT)), "contact_phon": "typo"}
    assert field_errors(ent.start("data_upgrade_b_to_a", data)) == {"contact_phon": UNKNOWN}
    assert case_count(app) == before
    assert ent.start("data_upgrade_b_to_a", start_data(project_id(ent, B_PROJECT))).status_code == 201


def test_an_unknown_field_of_a_task_form_is_refused_and_the_task_stays_open(as_user: Any) -> None:
    ent, province = as_user("ent-nanning"), as_user("province")
    case = start_case(ent, "data_upgrade_b_to_a", B_PROJECT)
    refused = work(province, case["id"], {"verification_mode": "self", "verification_mod": "delegate"})
    assert field_errors(refused) == {"verification_mod": UNKNOWN}
    shown = ent.case(case["id"])
    assert shown["current_step"] == "受理并确定核查方式" and "verification_mode" not in shown["data"]
    assert "verification_mod" not in shown["data"]


def test_unknown_fields_in_nested_objects_and_lists_are_refused_nothing_stored(as_user: Any) -> None:
    """The QA's case: the city's check of a delegated B → A with findings.bid_award.extra (stored before, and
    shown to the province and the enterprise), and the same in a row of the inspectors' list."""
    ent, province, city = as_user("ent-nanning"), as_user("province"), as_user("city-nanning")
    case = start_case(ent, "data_upgrade_b_to_a", B_PROJECT)
    assert work(province, case["id"], {"verification_mode": "delegate",
                                       "delegation_note": "请核查合同与现场"}).status_code == 200
    report = city.upload(case["id"], filename="抽查核查报告.pdf").json["id"]
    good = record_data(record_files=[report])
    findings = {**good["findings"], "bid_award": {"result": "consistent", "extra": "kept?"}}
    verifiers = [good["verifiers"][0], {**good["verifiers"][1], "phone": "13907710000"}]
    refused = work(city, case["id"], {**good, "findings": findings, "verifiers": verifiers})
    assert field_errors(refused) == {"findings.bid_award.extra": UNKNOWN, "verifiers.1.phone": UNKNOWN}
    for user in (ent, province):
        assert "findings" not in user.case(case["id"])["data"]
    # Reported with the form's other errors at once (一次性告知)
    both = work(city, case["id"], {**good, "findings": findings, "verification_location": ""})
    assert field_errors(both) == {"findings.bid_award.extra": UNKNOWN, "verification_location": "此项为必填项"}
    assert work(city, case["id"], good).status_code == 200
    for user in (ent, province):
        assert user.case(case["id"])["data"]["findings"]["bid_award"] == {"result": "consistent"}


def test_a_field_hidden_by_its_condition_is_still_accepted(as_user: Any) -> None:
    """delegation_note shows only for 委托抽查; sent with 自行核查 it is the form's field all the same (as before)."""
    ent, province = as_user("ent-nanning"), as_user("province")
    case = start_case(ent, "data_upgrade_b_to_a", B_PROJECT)
    done = work(province, case["id"], {"verification_mode": "self", "delegation_note": "无需委托"})
    assert done.status_code == 200, done.json
    assert province.case(case["id"])["data"]["verification_mode"] == "self"


def test_a_field_of_another_role_is_unknown_to_an_individual(as_user: Any) -> None:
    """The new employer's fields (x-roles enterprise) are not in the individual's 人员注销 form: sent anyway,
    refused as any field his form does not have (they were dropped without a word before)."""
    person = as_user("person")
    data = {"mode": "non_cooperating", "leave_date": "2026-10-31"}
    refused = person.start("personnel_deregistration", {**data, "person_name": "梁海"})
    assert field_errors(refused) == {"person_name": UNKNOWN}
    assert person.start("personnel_deregistration", data).status_code == 201
