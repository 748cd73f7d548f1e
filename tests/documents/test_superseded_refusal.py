"""A 不予…决定书 that the applicant answered by amending and applying again on the same case is, once a later decision
is issued on the case, no longer the authority's last word: the public check still confirms it as genuine, and says
it was superseded, by which document and when. Until then (the new application not yet decided), and for a refusal
that ended its case, the check says nothing more."""
from __future__ import annotations

from typing import Any

from flask import Flask
from freezegun import freeze_time

from tests.documents.test_case_documents import _resubmit, documents_of
from tests.notifications.test_applicant_notices import _unlock_submitted
from tests.procedures.steps import act_ok
from tests.support.deadlines import local

REJECTION = {"decision": "reject", "comment": "处罚决定书载明的人员与申请人员不符",
             "reject_ground": "materials_deficient", "deficient_materials": ["penalty_files"]}
SUPERSEDED = "已被后续决定取代"


def _checked(app: Flask, code: str) -> str:
    page = app.test_client().get(f"/verify/{code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "该文书由本系统出具" in html  # genuine, whatever came after it
    return html


def test_a_refusal_answered_by_a_new_application_is_superseded_by_the_later_decision(
        app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-11-02 10:00")) as clock:
        case_id = _unlock_submitted(app, ent)
        act_ok(city, case_id, REJECTION)
        [_, refusal] = documents_of(app, case_id)
        assert refusal["kind"] == "refusal"
        assert SUPERSEDED not in _checked(app, refusal["code"])  # the refusal is the decision in force

        clock.move_to(local("2026-11-04 10:00"))
        _resubmit(ent, case_id)  # applied again: not decided yet, the refusal still stands
        assert SUPERSEDED not in _checked(app, refusal["code"])

        clock.move_to(local("2026-11-05 10:00"))
        act_ok(city, case_id, {"decision": "approve"})
    done = documents_of(app, case_id)[-1]
    assert done["kind"] == "completion"

    html = _checked(app, refusal["code"])
    notice = html.split('data-testid="superseded"', 1)[1].split("</div>", 1)[0]
    assert SUPERSEDED in notice and "2026年11月5日" in notice
    assert done["number"] in notice and "办结通知" in notice
    assert refusal["number"] in html and "不予解锁决定书" in html  # the document itself, as before
    assert SUPERSEDED not in _checked(app, done["code"])  # the later decision is the one in force
    english = app.test_client()
    english.set_cookie("gjy_lang", "en")
    page = english.get(f"/verify/{refusal['code']}").get_data(as_text=True)
    assert "This document has been superseded by a later decision" in page and done["number"] in page


def test_a_refusal_superseded_by_a_second_refusal_and_that_one_by_the_approval(app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-11-02 10:00")) as clock:
        case_id = _unlock_submitted(app, ent)
        act_ok(city, case_id, REJECTION)
        clock.move_to(local("2026-11-03 10:00"))
        _resubmit(ent, case_id)
        act_ok(city, case_id, REJECTION)
        clock.move_to(local("2026-11-04 10:00"))
        _resubmit(ent, case_id)
        act_ok(city, case_id, {"decision": "approve"})
    # (each receipt has its 受理通知书: the first, and one for each application amended after a refusal)
    first, second, done = [d for d in documents_of(app, case_id) if d["kind"] != "acceptance"]
    assert (first["kind"], second["kind"], done["kind"]) == ("refusal", "refusal", "completion")
    first_notice = _checked(app, first["code"]).split('data-testid="superseded"', 1)[1]
    assert second["number"] in first_notice and "2026年11月3日" in first_notice  # the next decision, not the last
    second_notice = _checked(app, second["code"]).split('data-testid="superseded"', 1)[1]
    assert done["number"] in second_notice and "2026年11月4日" in second_notice


def test_a_refusal_that_ended_its_case_is_not_superseded(app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = _unlock_submitted(app, ent)
    act_ok(city, case_id, REJECTION)
    assert ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "不再申请"}).status_code == 200  # not applied again
    [_, refusal] = documents_of(app, case_id)
    assert SUPERSEDED not in _checked(app, refusal["code"])
