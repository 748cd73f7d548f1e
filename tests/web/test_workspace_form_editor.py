"""The form editor of a draft: a new form, the preview drawn by the task pages' renderer, the schema's problems
(not JSON, not a JSON Schema, unknown keywords, a field a condition reads removed), saving into the draft."""
from __future__ import annotations

import json
import re
from typing import Any

UNLOCK = "/workspace/personnel_unlock"


def _draft(user: Any) -> str:
    response = user.post(f"{UNLOCK}/drafts", {"version": "1"})
    assert response.status_code == 302
    return str(response.headers["Location"])


def _preview(user: Any, path: str, form_key: str, text: str) -> Any:
    return user.client.post(f"{path}/forms/{form_key}/preview", json={"text": text},
                            headers={"X-CSRFToken": user.token})


def test_a_new_form_opens_in_the_editor_with_its_preview(web: Any) -> None:
    analyst = web("analyst")
    path = _draft(analyst)
    created = analyst.post(f"{path}/forms", {"form_key": "unlock_city_check"})
    assert created.status_code == 302 and created.headers["Location"].endswith("/forms/unlock_city_check")
    page = analyst.html(created.headers["Location"])
    assert 'data-field="comment"' in page and 'id="form-editor-data"' in page
    again = analyst.post(f"{path}/forms", {"form_key": "unlock_city_check"}, follow_redirects=True)
    assert "草稿中已有表单 unlock_city_check" in again.get_data(as_text=True)


def test_the_preview_draws_fields_as_a_task_page_does(web: Any) -> None:
    analyst = web("analyst")
    path = _draft(analyst)
    form = {"title": "复核", "type": "object", "required": ["opinion"], "properties": {
        "opinion": {"type": "string", "title": "复核意见", "oneOf": [{"const": "ok", "title": "同意"},
                                                                   {"const": "no", "title": "不同意"}]},
        "checked_on": {"type": "string", "format": "date", "title": "复核日期"}}}
    answer = _preview(analyst, path, "unlock_review", json.dumps(form, ensure_ascii=False)).json
    assert 'data-field="opinion"' in answer["html"] and "不同意" in answer["html"]
    assert 'data-widget="date"' in answer["html"]


def test_the_schema_problems_are_listed(web: Any) -> None:
    analyst = web("analyst")
    path = _draft(analyst)
    broken = _preview(analyst, path, "unlock_review", '{"title": ').json
    assert "不是有效的 JSON" in broken["problems"][0]["problem"] and broken["html"]
    not_schema = _preview(analyst, path, "unlock_review", '{"type": "objekt"}').json["problems"]
    assert any("不是有效的 JSON Schema" in p["problem"] for p in not_schema)
    review = json.loads(analyst.get(f"{path}/forms/unlock_review").get_data(as_text=True)
                        .split('id="form-editor-data">')[1].split("</script>")[0])["text"]
    form = json.loads(review)
    form["properties"]["comment"]["tittle"] = "意见"
    del form["properties"]["decision"]
    form["required"] = []
    problems = _preview(analyst, path, "unlock_review", json.dumps(form, ensure_ascii=False)).json["problems"]
    assert {"file": "forms/unlock_review.json", "element": "comment", "problem": "未知关键字 “tittle”"} in problems
    assert any(p["element"] == "decision" and "读取字段" in p["problem"] for p in problems)


def test_the_editor_saves_the_form_into_the_draft(web: Any) -> None:
    analyst = web("analyst")
    path = _draft(analyst)
    text = json.dumps({"title": "审核", "type": "object", "properties": {"decision": {"type": "string"}}})
    saved = analyst.client.post(f"{path}/files", json={"files": {"forms/unlock_review.json": text}},
                                headers={"X-CSRFToken": analyst.token})
    assert saved.status_code == 200
    data = json.loads(analyst.html(f"{path}/forms/unlock_review").split('id="form-editor-data">')[1]
                      .split("</script>")[0])
    assert data["text"] == text


def test_an_unknown_form_is_404_and_other_roles_are_refused(web: Any) -> None:
    analyst = web("analyst")
    path = _draft(analyst)
    assert analyst.get(f"{path}/forms/nope").status_code == 404
    city = web("city-nanning")
    assert city.get(f"{path}/forms/unlock_review").status_code == 403
    assert _preview(city, path, "unlock_review", "{}").status_code == 403


def test_the_shipped_forms_use_no_keyword_the_editor_calls_unknown(web: Any) -> None:
    """The conventions bpmn/README.md documents (x-conditional, x-unless-case, x-current-values, x-lookup-by,
    x-roles) are ours: an untouched shipped form used to open with "未知关键字" problems."""
    analyst = web("analyst")
    for procedure in ("personnel_unlock", "personnel_deregistration", "performance_record_edit",
                      "data_upgrade_b_to_a"):
        created = analyst.post(f"/workspace/{procedure}/drafts", {"version": "1"})
        assert created.status_code == 302
        path = str(created.headers["Location"])
        form_keys = sorted(set(re.findall(rf'href="{re.escape(path)}/forms/([\w.-]+)"', analyst.html(path))))
        assert form_keys, procedure
        for key in form_keys:
            text = json.loads(analyst.html(f"{path}/forms/{key}").split('id="form-editor-data">')[1]
                              .split("</script>")[0])["text"]
            problems = _preview(analyst, path, key, text).json["problems"]
            assert not [p for p in problems if "未知关键字" in p["problem"]], (procedure, key, problems)
