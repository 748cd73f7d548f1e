"""A new procedure built only in the pages (chromium), no file edited and no Python: the analyst makes a draft of
a new procedure, its start form and two review forms in the form editor, a decision table in the decision table
editor (dmn-js), and in the modeler a city lane with two review steps, a business rule task running the table,
a gateway routing on the table's result and the four-eyes rule between the reviews; the draft is lint clean and
deployed with a note. An enterprise then applies in the pages and two city reviewers decide: the first reviewer
may not take the second review, another reviewer does; a small amount skips the second review (the table)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select as sql_select

from app.db import unit_of_work
from app.extensions import db
from app.models import Organisation, OrganisationKind, Role
from app.services.demo import DEMO_PASSWORD
from app.services.identity.accounts import create_user
from tests.browser.helpers import check_page, new_form, sign_in
from tests.browser.test_workspace_modeler import RECT, SELECTED, click_element, connect, select

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]

KEY = "safety_pledge"
NAME = "施工安全承诺备案"
SECOND_REVIEWER, SECOND_PHONE = "city-nanning-2", "13907719901"
FORMS = {
    f"{KEY}_start": {"title": "施工安全承诺备案申请", "type": "object", "required": ["project_name", "amount"],
                     "properties": {"project_name": {"type": "string", "title": "工程名称", "maxLength": 100},
                                    "amount": {"type": "integer", "title": "合同金额（万元）", "minimum": 0}}},
    f"{KEY}_review": {"title": "承诺备案初审", "type": "object", "required": ["opinion"],
                      "properties": {"opinion": {"type": "string", "title": "初审意见", "maxLength": 500}}},
    f"{KEY}_confirm": {"title": "承诺备案复核", "type": "object", "required": ["confirm_opinion"],
                       "properties": {"confirm_opinion": {"type": "string", "title": "复核意见", "maxLength": 500}}},
}
DECISION = "review_path_rule"
RULES = [("<= 100", '"single"'), ("> 100", '"double"')]


@pytest.fixture
def second_city_reviewer(app: Any) -> None:
    """The demo has one city reviewer in Nanning: the four-eyes rule needs another."""
    with app.app_context(), unit_of_work():
        org_id = db.session.scalar(sql_select(Organisation.id).where(
            Organisation.region_code == "450100", Organisation.kind == OrganisationKind.AUTHORITY))
        create_user(SECOND_REVIEWER, "南宁市住建局·审核员二", DEMO_PASSWORD, org_id, "450100",
                    [Role.CITY_REVIEWER.value], phone=SECOND_PHONE)


# -- the analyst ---------------------------------------------------------------------------------------------------

def new_draft(page: Any) -> None:
    sign_in(page, "analyst")
    page.goto("/workspace")
    page.get_by_label("事项编码（流程 id）").fill(KEY)
    page.get_by_label("事项名称").fill(NAME)
    page.get_by_role("button", name="新建事项草稿").click()
    page.wait_for_selector("#modeler[data-state=ready]")


def make_form(page: Any, form_key: str) -> None:
    first_field = next(iter(FORMS[form_key]["properties"]))  # type: ignore[call-overload]
    new_form(page, form_key, FORMS[form_key], first_field)
    assert page.get_by_test_id("form-problems").get_attribute("data-count") == "0"
    page.get_by_role("button", name="保存到草稿").click()
    page.wait_for_selector("#save-status.text-success-emphasis")
    page.get_by_role("link", name="返回流程图").click()
    page.wait_for_selector("#modeler[data-state=ready]")


def fill_decision_table(page: Any) -> Any:
    """On a draft's modeler page: a new table typed in dmn-js, amount <= 100: one review ("single"); above: two
    ("double"), in the output review_path (not saved yet). Returns the editor's box."""
    page.get_by_label("决策表编码").fill(DECISION)
    page.get_by_label("决策表名称").fill("审核路径")
    page.get_by_role("button", name="新建决策表").click()
    page.wait_for_selector("#decision-editor[data-state=ready]")
    box = page.locator("#decision-editor")
    box.locator("th.input-editor .input-expression").dblclick()  # the input column's editor
    page.get_by_label("输入列标题").click()
    page.keyboard.type("合同金额（万元）")
    page.get_by_label("输入表达式", exact=True).click()
    page.keyboard.type("amount")
    page.keyboard.press("Escape")
    box.locator("th.output-editor .output-name").dblclick()  # the output column's editor
    page.get_by_label("输出列标题").click()
    page.keyboard.type("审核路径")
    page.get_by_label("输出名称（变量名）").click()
    page.keyboard.type("review_path")
    page.keyboard.press("Escape")
    for when, then in RULES:
        box.locator("td.add-rule-add").click()
        row = box.locator("tbody tr").last
        row.locator("td.input-cell").click()
        page.keyboard.type(when)
        row.locator("td.output-cell").click()
        page.keyboard.type(then)
    page.locator("h1").click()
    return box


def make_decision_table(page: Any) -> None:
    """The table of fill_decision_table, checked with axe, saved into the draft and checked by the server."""
    box = fill_decision_table(page)
    assert box.locator("tbody tr").count() == 2
    check_page(page, "35-workspace-decision-table")
    page.get_by_role("button", name="保存到草稿并检查").click()
    page.wait_for_selector("#decision-problems[data-checked='1']", state="attached")
    # the table itself is fine: all that is said of it is that no task calls it yet (the diagram's next step)
    problems = page.get_by_test_id("decision-problems").locator("li")
    of_table = [p.inner_text() for p in problems.all() if p.get_attribute("data-file") == f"bpmn/{DECISION}.dmn"]
    assert len(of_table) == 1 and "没有被任何业务规则任务使用" in of_table[0], problems.all_inner_texts()
    page.get_by_role("link", name="返回流程图").click()
    page.wait_for_selector("#modeler[data-state=ready]")
    assert page.get_by_test_id("draft-decisions").locator(f"[data-decision={DECISION}]").count() == 1


def selected(page: Any) -> str:
    ids: list[str] = page.evaluate(SELECTED)
    assert len(ids) == 1, ids
    return ids[0]


def place(page: Any, palette_action: str, x: float, y: float) -> str:
    """Create an element from the palette at a point of the screen; its id."""
    page.locator(f'.djs-palette .entry[data-action="{palette_action}"]').click()
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.keyboard.press("Escape")  # leave the label's direct editing the modeler opens on a new element
    return selected(page)


def replace(page: Any, element_id: str, option: str) -> str:
    click_element(page, element_id)
    page.locator('.djs-context-pad .entry[data-action="replace"]').click()
    page.locator(f'.djs-popup [data-id="{option}"]').click()
    return selected(page)


def name(page: Any, text: str) -> None:
    field = page.locator("#properties").get_by_label("名称", exact=True)
    field.fill(text)
    field.blur()


def lane_names(page: Any, element_id: str) -> list[str]:
    names: list[str] = page.evaluate("(id) => (window.gjyModeler.get('elementRegistry').get(id).businessObject"
                                     ".lanes || []).map(l => l.name)", element_id)
    return names


def build_diagram(page: Any) -> dict[str, str]:
    """The lanes, the steps, the flows and their properties, drawn and set in the modeler; the ids."""
    panel = page.locator("#properties")
    # the procedure: its start form
    select(page, f"pool_{KEY}")
    panel.get_by_label("发起表单").select_option(f"{KEY}_start")
    # a city lane below the applicant's
    click_element(page, f"lane_{KEY}_applicant", at=(0.3, 0.1))
    page.locator('.djs-context-pad .entry[data-action="lane-insert-below"]').click()
    city_lane = page.evaluate("(known) => window.gjyModeler.get('elementRegistry').filter(e => e.type === "
                              "'bpmn:Lane' && e.id !== known)[0].id", f"lane_{KEY}_applicant")
    select(page, city_lane)
    name(page, "市级住建部门")
    panel.get_by_label("角色（按泳道名称）").select_option("city_reviewer")
    panel.get_by_label("辖区规则").select_option("case_city")
    # the applicant's task becomes the business rule task running the decision table
    rule_task = replace(page, f"submit_{KEY}", "replace-with-rule-task")
    name(page, "确定审核路径")
    panel.get_by_label("决策表", exact=True).select_option(DECISION)
    select(page, f"f_{KEY}_2")  # its flow to the end goes: the reviews come between
    page.locator('.djs-context-pad .entry[data-action="delete"]').click()
    # the reviews and the gateway in the city lane
    rx, ry, rw, rh = page.evaluate(RECT, rule_task)
    lx, ly, lw, lh = page.evaluate(RECT, city_lane)
    row = ly + lh / 2
    first = replace(page, place(page, "create.task", rx + rw / 2, row), "replace-with-user-task")
    name(page, "市级初审")
    panel.get_by_label("表单", exact=True).select_option(f"{KEY}_review")
    gateway = place(page, "create.exclusive-gateway", rx + rw * 1.9, row)
    name(page, "是否需要复核")
    second = replace(page, place(page, "create.task", rx + rw * 3.0, row), "replace-with-user-task")
    name(page, "市级复核")
    panel.get_by_label("表单", exact=True).select_option(f"{KEY}_confirm")
    panel.get_by_label("不得由以下步骤的办理人办理（四眼原则）").select_option(first)
    for element_id in (first, gateway, second):
        assert lane_names(page, element_id) == ["市级住建部门"], element_id
    # the flows
    end = f"end_{KEY}"
    connect(page, rule_task, first)
    connect(page, first, gateway)
    connect(page, gateway, second, at=(0.5, 0.25))  # (the flow from the first review ends at its middle)
    to_second = selected(page)
    connect(page, gateway, end, at=(0.5, 0.25))
    to_end = selected(page)
    connect(page, second, end, at=(0.5, 0.8))
    # the routing: the table's result decides; no second review is the default
    select(page, to_second)
    name(page, "需复核")
    panel.get_by_label("条件字段（表单字段）").select_option("review_path")
    panel.get_by_label("等于", exact=True).fill("double")
    panel.get_by_label("等于", exact=True).blur()
    select(page, to_end)
    name(page, "无需复核")
    panel.get_by_label("默认路径（其他条件都不满足时）").check()
    return {"rule_task": rule_task, "first": first, "gateway": gateway, "second": second, "to_second": to_second}


def save_and_deploy(page: Any, ids: dict[str, str]) -> None:
    page.get_by_role("button", name="保存草稿并检查").click()
    page.wait_for_selector("#problems[data-checked='1']", state="attached")
    problems = page.get_by_test_id("problems")
    # The new procedure's starter form is used by no task of the diagram drawn: listed, then deleted
    assert problems.get_attribute("data-count") == "1", problems.inner_text()
    assert f"表单 “{KEY}_request” 没有被任何任务使用" in problems.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id(f"delete-form-{KEY}_request").click()
    page.wait_for_selector("#modeler[data-state=ready]")
    assert f"表单 {KEY}_request 已从草稿中删除" in page.locator("main").inner_text()
    page.get_by_role("button", name="保存草稿并检查").click()
    page.wait_for_selector("#problems[data-checked='1']", state="attached")
    assert problems.get_attribute("data-count") == "0", problems.inner_text()
    assert page.locator("#problems-empty").is_visible()
    assert page.locator(".bjsl-button").inner_text().strip() == "没有问题"  # the modeler's lint, in Chinese
    xml = page.evaluate("async () => (await window.gjyModeler.saveXML({format: true})).xml")
    assert f"<spiffworkflow:calledDecisionId>{DECISION}</spiffworkflow:calledDecisionId>" in xml
    assert f'<spiffworkflow:property name="notSameAs" value="{ids["first"]}" />' in xml
    assert 'review_path == "double"' in xml
    check_page(page, "36-workspace-new-procedure")
    page.get_by_label("变更说明").fill("新事项：承诺备案，按合同金额由决策表确定一审或两审，复核不得由初审人员办理")
    page.get_by_role("button", name="部署", exact=True).click()
    page.wait_for_load_state()
    assert "已部署为版本 1" in page.locator("main").inner_text()
    page.get_by_role("link", name="版本 1", exact=True).first.click()
    files = page.locator("main").inner_text()
    for file in (f"bpmn/{KEY}.bpmn", f"bpmn/{DECISION}.dmn", f"forms/{KEY}_start.json", "bpmn/lanes.json"):
        assert file in files, file
    table = page.get_by_test_id("version-decisions").locator(f"[data-decision={DECISION}]")
    assert [row.locator("td code").all_inner_texts() for row in table.locator("tbody tr").all()] == \
        [[when, then] for when, then in RULES]
    check_page(page, "37-workspace-version-decisions")


# -- the enterprise and the city reviewers ------------------------------------------------------------------------

def apply(page: Any, amount: int) -> str:
    sign_in(page, "ent-nanning")
    page.locator(f"a[href$='/cases/start/{KEY}']").click()  # 申请：施工安全承诺备案
    page.get_by_label("工程名称").fill("南宁市民服务中心工程")
    page.get_by_label("合同金额（万元）").fill(str(amount))
    page.locator("[data-action=submit], button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "/cases/" in page.url, page.locator("main").inner_text()[:500]
    return str(page.get_by_test_id("case-number").inner_text())


def claim(page: Any, number: str) -> None:
    page.goto("/tasks?view=claimable")
    row = page.locator(f"tr[data-case-number='{number}']")
    row.get_by_role("button", name="领取").click()
    page.wait_for_load_state()


def decide(page: Any, field: str, text: str) -> None:
    page.locator(f"[data-field={field}] textarea, [data-field={field}] input").first.fill(text)
    page.locator("[data-action=submit]").click()
    page.wait_for_load_state()
    assert "/cases/" in page.url, page.locator("[data-field-error]").all_inner_texts()


def test_a_new_procedure_made_in_the_pages_runs_end_to_end(new_page: Callable[..., Any], second_city_reviewer: None,
                                                           as_user: Any) -> None:
    analyst = new_page(1600, 1000)
    errors: list[str] = []
    analyst.on("pageerror", lambda exc: errors.append(str(exc)))
    new_draft(analyst)
    for form_key in FORMS:
        make_form(analyst, form_key)
    make_decision_table(analyst)
    ids = build_diagram(analyst)
    save_and_deploy(analyst, ids)
    assert not errors, errors

    # a large amount: two reviews, by two different reviewers
    enterprise = new_page()
    number = apply(enterprise, 500)
    first = new_page()
    sign_in(first, "city-nanning")
    claim(first, number)
    decide(first, "opinion", "资料齐全，同意")
    assert first.get_by_test_id("case-status").get_attribute("data-status") == "running"
    claim(first, number)  # the second review is not for the first reviewer
    assert "四眼原则" in first.locator("main").inner_text()
    second = new_page()
    sign_in(second, SECOND_REVIEWER, phone=SECOND_PHONE)
    claim(second, number)
    decide(second, "confirm_opinion", "复核同意备案")
    assert second.get_by_test_id("case-status").get_attribute("data-status") == "completed"

    # a small amount: the table routes past the second review
    ent_api, city_api = as_user("ent-nanning"), as_user("city-nanning")
    started = ent_api.start(KEY, {"project_name": "南宁第三中学教学楼工程", "amount": 50})
    assert started.status_code == 201, started.json
    case = ent_api.case(started.json["id"])
    assert [t["title"] for t in case["open_tasks"]] == ["市级初审"]
    task_id = case["open_tasks"][0]["id"]
    assert city_api.claim(task_id).status_code == 200
    assert city_api.complete(task_id, {"opinion": "同意"}).status_code == 200
    done = ent_api.case(started.json["id"])
    assert done["status"] == "completed" and not done["open_tasks"]
    assert "市级复核" not in {event["step"] for event in done["history"]}
