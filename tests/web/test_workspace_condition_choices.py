"""The modeler page's data carries, for each form field offering a fixed set of values (`oneOf` consts with
their titles, or `enum`), those values: the properties panel offers them as the value a flow's condition
compares the field with (deploy refuses any other text), and keeps a free text box for the other fields."""
from __future__ import annotations

import json
from typing import Any

from tests.conftest import ROOT

UNLOCK = "/workspace/personnel_unlock"


def _modeler_data(user: Any, path: str) -> dict[str, Any]:
    return json.loads(user.html(path).split('id="modeler-data">')[1].split("</script>")[0])


def _new_draft(user: Any) -> str:
    response = user.post(f"{UNLOCK}/drafts", {"version": "1", "title": "条件可选值"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return str(response.headers["Location"])


def test_the_page_data_carries_the_choices_of_a_field_with_one_of(web: Any) -> None:
    analyst = web("analyst")
    data = _modeler_data(analyst, _new_draft(analyst))
    choices = data["choices"]
    assert choices["decision"] == [
        {"value": "approve", "title": "同意解锁", "title_en": "Approve the unlock"},
        {"value": "reject", "title": "不予解锁", "title_en": "Refuse the unlock"},
        {"value": "return", "title": "退回补正", "title_en": "Return for supplements (补正)"}]
    assert [c["value"] for c in choices["kind"]] == ["duty_change", "completion", "penalty", "temporary"]
    # free text, a list, and a list offered by a handler (x-choices): no fixed set, a text box
    assert "reason" not in choices and "lock_ids" not in choices and "missing_items" not in choices


def test_an_enum_counts_and_a_field_free_in_another_form_does_not(web: Any) -> None:
    analyst = web("analyst")
    path = _new_draft(analyst)
    form = json.loads((ROOT / "forms/unlock_request.json").read_text(encoding="utf-8"))
    extra = {"type": "object", "properties": {
        "urgency": {"type": "string", "title": "紧急程度", "enum": ["high", "low"]},
        "decision": {"type": "string", "title": "结论（自由填写）"}}}
    saved = analyst.client.post(f"{path}/files", headers={"X-CSRFToken": analyst.token}, json={"files": {
        "forms/unlock_extra.json": json.dumps(extra, ensure_ascii=False),
        "forms/unlock_request.json": json.dumps(form, ensure_ascii=False)}})
    assert saved.status_code == 200, saved.json
    choices = _modeler_data(analyst, path)["choices"]
    assert choices["urgency"] == [{"value": "high", "title": "", "title_en": ""},
                                  {"value": "low", "title": "", "title_en": ""}]
    # deploy does not check a field some form offers free: neither does the panel restrict it
    assert "decision" not in choices
    assert "kind" in choices
