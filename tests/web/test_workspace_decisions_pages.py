"""Decision tables of a draft in the pages: a new table opens in the decision table editor, is listed on the
draft page and offered (with its outputs) to business rule tasks in the modeler; its problems are the draft's
deploy checks naming the table's file; saved and deployed with the draft, shown on the version's page; other roles
are refused."""
from __future__ import annotations

import json
from typing import Any

UNLOCK = "/workspace/personnel_unlock"
NEW = "unlock_pilot"
TABLE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs_unlock_level" name="解锁级别"
  namespace="http://gjy.test/dmn">
  <decision id="unlock_level" name="解锁级别">
    <decisionTable id="unlock_level_table">
      <input id="in_kind" label="申请事由"><inputExpression id="in_kind_expr" typeRef="string"><text>reason</text>
      </inputExpression></input>
      <output id="out_level" label="级别" name="unlock_level" typeRef="string"/>
      <rule id="r1"><inputEntry id="r1_in"><text>"temporary"</text></inputEntry>
        <outputEntry id="r1_out"><text>"light"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="r2_in"><text>-</text></inputEntry>
        <outputEntry id="r2_out"><text>"full"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def _draft(user: Any) -> str:
    response = user.post(f"{UNLOCK}/drafts", {"version": "1"})
    assert response.status_code == 302
    return str(response.headers["Location"])


def _data(html: str, script_id: str) -> dict[str, Any]:
    return json.loads(html.split(f'id="{script_id}">')[1].split("</script>")[0])  # type: ignore[no-any-return]


def _check(user: Any, path: str) -> list[dict[str, Any]]:
    return user.client.post(f"{path}/check", headers={"X-CSRFToken": user.token}).json["problems"]  # type: ignore


def test_a_new_decision_table_opens_in_the_editor_and_is_offered_to_business_rule_tasks(web: Any) -> None:
    analyst = web("analyst")
    path = _draft(analyst)
    created = analyst.post(f"{path}/decisions", {"decision_id": "unlock_level", "name": "解锁级别"})
    assert created.status_code == 302 and created.headers["Location"].endswith("/decisions/unlock_level")
    data = _data(analyst.html(created.headers["Location"]), "decision-editor-data")
    assert data["file"] == "bpmn/unlock_level.dmn"
    assert '<decision id="unlock_level" name="解锁级别">' in data["xml"]
    draft_page = analyst.html(path)
    assert 'data-decision="unlock_level"' in draft_page
    assert _data(draft_page, "modeler-data")["decisions"] == [
        {"id": "unlock_level", "name": "解锁级别", "file": "bpmn/unlock_level.dmn", "outputs": []}]
    # the empty table's problems name its file and columns
    problems = [p for p in _check(analyst, path) if p["file"] == "bpmn/unlock_level.dmn"]
    assert {p["element"] for p in problems} >= {"unlock_level_input_1", "unlock_level_output_1"}, problems
    again = analyst.post(f"{path}/decisions", {"decision_id": "unlock_level"}, follow_redirects=True)
    assert "草稿中已有决策表 unlock_level" in again.get_data(as_text=True)
    wrong = analyst.post(f"{path}/decisions", {"decision_id": "1 级"}, follow_redirects=True)
    assert "决策表编码须为" in wrong.get_data(as_text=True)


def test_a_saved_table_deploys_with_the_draft_and_shows_on_the_version(web: Any) -> None:
    """A new procedure whose applicant's request goes through a business rule task running the table."""
    analyst = web("analyst")
    created = analyst.post(f"/workspace/{NEW}/drafts", {"name": "解锁级别试点"})
    assert created.status_code == 302
    path = str(created.headers["Location"])
    bpmn = _data(analyst.html(path), "modeler-data")["xml"]
    bpmn = bpmn.replace(f'<bpmn:sequenceFlow id="f_{NEW}_2" sourceRef="submit_{NEW}" targetRef="end_{NEW}"/>',
                        f'<bpmn:sequenceFlow id="f_{NEW}_2" sourceRef="submit_{NEW}" targetRef="level_{NEW}"/>'
                        f'<bpmn:sequenceFlow id="f_{NEW}_3" sourceRef="level_{NEW}" targetRef="end_{NEW}"/>')
    bpmn = bpmn.replace(f'<bpmn:endEvent id="end_{NEW}" name="结束"><bpmn:incoming>f_{NEW}_2</bpmn:incoming>',
                        f'<bpmn:businessRuleTask id="level_{NEW}" name="确定级别"><bpmn:extensionElements>'
                        f'<spiffworkflow:calledDecisionId>unlock_level</spiffworkflow:calledDecisionId>'
                        f'</bpmn:extensionElements><bpmn:incoming>f_{NEW}_2</bpmn:incoming>'
                        f'<bpmn:outgoing>f_{NEW}_3</bpmn:outgoing></bpmn:businessRuleTask>'
                        f'<bpmn:endEvent id="end_{NEW}" name="结束"><bpmn:incoming>f_{NEW}_3</bpmn:incoming>')
    assert f"level_{NEW}" in bpmn
    saved = analyst.client.post(f"{path}/files", json={"files": {f"bpmn/{NEW}.bpmn": bpmn,
                                                                 "bpmn/unlock_level.dmn": TABLE}},
                                headers={"X-CSRFToken": analyst.token})
    assert saved.status_code == 200, saved.json
    assert _data(analyst.html(path), "modeler-data")["decisions"][0]["outputs"] == ["unlock_level"]
    assert _check(analyst, path) == []
    # a business rule task naming a table the draft lacks is a problem naming the task
    missing = analyst.client.post(f"{path}/files", json={"files": {"bpmn/unlock_level.dmn": None}},
                                  headers={"X-CSRFToken": analyst.token})
    assert missing.status_code == 200
    assert any(p["element"] == f"level_{NEW}" and "unlock_level" in p["problem"] for p in _check(analyst, path))
    analyst.client.post(f"{path}/files", json={"files": {"bpmn/unlock_level.dmn": TABLE}},
                        headers={"X-CSRFToken": analyst.token})
    deployed = analyst.post(f"{path}/deploy", {"note": "解锁级别由决策表确定"})
    assert deployed.status_code == 302, deployed.get_data(as_text=True)
    page = analyst.html(f"/workspace/{NEW}/versions/1")
    assert "bpmn/unlock_level.dmn" in page and 'data-decision="unlock_level"' in page
    assert "&#34;temporary&#34;" in page and "&#34;light&#34;" in page  # the rules, as written


def test_the_editor_speaks_english_in_the_english_pages(web: Any) -> None:
    analyst = web("analyst")
    path = _draft(analyst)
    analyst.post(f"{path}/decisions", {"decision_id": "unlock_level"})
    analyst.get("/lang/en")
    page = analyst.html(f"{path}/decisions/unlock_level")
    assert "Decision table editor" in page and "Save to the draft and check" in page
    assert "New decision table" in analyst.html(path)


def test_an_unknown_table_is_404_and_other_roles_are_refused(web: Any) -> None:
    analyst = web("analyst")
    path = _draft(analyst)
    assert analyst.get(f"{path}/decisions/nope").status_code == 404
    analyst.post(f"{path}/decisions", {"decision_id": "unlock_level"})
    city = web("city-nanning")
    assert city.get(f"{path}/decisions/unlock_level").status_code == 403
    assert city.post(f"{path}/decisions", {"decision_id": "other_table"}).status_code == 403
