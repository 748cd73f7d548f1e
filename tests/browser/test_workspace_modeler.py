"""The analyst changes the unlock procedure in the pages (chromium): a form made in the form editor, a user task
added in the city lane with the modeler and linked to it, the draft saved, the lint problem of a gateway flow
without condition seen and fixed, the draft tried in the sandbox through to the end (as a real enterprise, each
step played as its role, the new task reached), the draft deployed with a note; new cases take the new version
while a running one stays, the diff shows the added task, and a dry run then a real migration move the running
case."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.helpers import check_page, new_form, sign_in
from tests.support.web import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]

UNLOCK = "personnel_unlock"
CITY_CHECK_FORM = {
    "title": "处罚解锁复核", "type": "object", "required": ["opinion"],
    "properties": {"opinion": {"type": "string", "title": "复核意见", "maxLength": 500}}}

# Where an element is drawn on the screen: its graphics' bounding box (the canvas is zoomed to fit).
RECT = """(id) => {
  const r = window.gjyModeler.get('elementRegistry').getGraphics(id).getBoundingClientRect();
  return [r.x, r.y, r.width, r.height];
}"""


def centre(page: Any, element_id: str) -> tuple[float, float]:
    x, y, w, h = page.evaluate(RECT, element_id)
    return x + w / 2, y + h / 2


CONDITION = ("(id) => ((window.gjyModeler.get('elementRegistry').get(id).businessObject.conditionExpression"
             " || {}).body || '')")
SELECTED = "() => window.gjyModeler.get('selection').get().map(e => e.id)"


def click_element(page: Any, element_id: str, at: tuple[float, float] = (0.5, 0.5)) -> None:
    """Click the element at a point of its box (`at`: shares of width and height), away from flows drawn
    across it."""
    bx, by, w, h = page.evaluate(RECT, element_id)
    x, y = bx + w * at[0], by + h * at[1]
    for _attempt in range(2):  # the modeler takes the first click after a finished connection as its end
        page.mouse.move(x, y)
        page.mouse.click(x, y)
        if page.evaluate(SELECTED) == [element_id]:
            return
    raise AssertionError(f"{element_id} could not be selected: {page.evaluate(SELECTED)}")


def connect(page: Any, source: str, target: str, at: tuple[float, float] = (0.5, 0.5)) -> None:
    """Select the source, take the context pad's connect tool and click the target."""
    click_element(page, source, at)
    page.locator('.djs-context-pad .entry[data-action="connect"]').click()
    x, y = centre(page, target)
    page.mouse.move(x, y)
    page.mouse.click(x, y)


def open_draft(page: Any) -> None:
    sign_in(page, "analyst")
    page.goto(f"/workspace/{UNLOCK}")
    check_page(page, "30-workspace-procedure")
    page.get_by_role("button", name="新建草稿").click()
    page.wait_for_selector("#modeler[data-state=ready]")


def select(page: Any, element_id: str) -> None:
    page.evaluate("(id) => { const m = window.gjyModeler; "
                  "m.get('selection').select(m.get('elementRegistry').get(id)); }", element_id)


def panel_shows_our_properties(page: Any) -> None:
    """The pool shows the procedure's properties, a lane its role and region rule from the lane map."""
    panel = page.locator("#properties")
    select(page, "participant_personnel_unlock")
    assert panel.get_by_label("办件编号前缀").input_value() == "JS"
    assert panel.get_by_label("法定时限").input_value() == "3 working days"
    select(page, "unlock_lane_city")
    assert panel.get_by_label("角色（按泳道名称）").input_value() == "city_reviewer"
    assert panel.get_by_label("辖区规则").input_value() == "case_city"
    select(page, "review_request")
    assert panel.get_by_label("表单", exact=True).input_value() == "unlock_review"
    assert panel.get_by_label("办理时限").input_value() == "3 working days"


def make_form(page: Any) -> None:
    new_form(page, "unlock_city_check", CITY_CHECK_FORM, "opinion")
    assert page.get_by_test_id("form-problems").get_attribute("data-count") == "0"
    page.locator("h1").click()  # the editor's cursor blinks (an endless animation) only while it has the focus
    check_page(page, "31-workspace-form-editor")
    page.get_by_role("button", name="保存到草稿").click()
    page.wait_for_selector("#save-status.text-success-emphasis")
    page.get_by_role("link", name="返回流程图").click()
    page.wait_for_selector("#modeler[data-state=ready]")


def add_city_task(page: Any) -> str:
    """A user task in the city lane below the release step, named and linked to the new form; its id."""
    page.locator('.djs-palette .entry[data-action="create.task"]').click()
    x, y, w, h = page.evaluate(RECT, "release_locks")
    x, y = x + w / 2, y + h * 1.9  # below the release step, inside the city lane
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.keyboard.press("Escape")  # leave the label's direct editing the modeler opens on a new task
    page.locator('.djs-context-pad .entry[data-action="replace"]').click()
    page.locator('.djs-popup [data-id="replace-with-user-task"]').click()
    task_id: str = page.evaluate("() => window.gjyModeler.get('selection').get()[0].id")
    lane = page.evaluate("(id) => window.gjyModeler.get('elementRegistry').get(id).businessObject.lanes"
                         ".map(l => l.name)", task_id)
    assert lane == ["市级住建部门"]
    panel = page.locator("#properties")
    panel.get_by_label("名称", exact=True).fill("处罚解锁复核")
    panel.get_by_label("表单", exact=True).select_option("unlock_city_check")
    return task_id


def submit_step(page: Any, step: str) -> None:
    """Complete the open step `step` of the sandbox run as the role its lane offers (the form filled before)."""
    form = page.get_by_test_id("sandbox-step")
    assert form.get_attribute("data-step") == step
    form.get_by_role("button", name="提交").click()
    page.wait_for_load_state()


def try_in_sandbox(page: Any, task_id: str) -> None:
    """From the draft page: a run as 广西邕城建设集团有限公司, its penalty unlock submitted as the enterprise, approved
    as a city reviewer, then the new city task completed with the new form: the run reaches its end."""
    draft_url = page.url
    page.get_by_role("link", name="试运行此草稿").click()
    page.get_by_label("查找申请企业（名称或统一社会信用代码）").fill("邕城")
    page.get_by_role("button", name="选择", exact=True).click()
    applicant = page.locator("#applicant-pick option", has_text="广西邕城建设集团有限公司").get_attribute("value")
    page.locator("#applicant-pick").select_option(applicant)
    page.get_by_role("button", name="选择", exact=True).click()
    assert page.get_by_test_id("chosen-applicant").inner_text() == "广西邕城建设集团有限公司"
    page.get_by_role("button", name="开始试运行").click()
    page.wait_for_load_state()
    assert page.get_by_label("扮演角色").input_value() == "enterprise"
    page.get_by_label("办理人（用于四眼原则等规则）").fill("企业经办人甲")
    page.get_by_label("解锁类型").select_option("penalty")
    page.locator("input[name=lock_ids]").first.check()  # the enterprise's real locked persons are offered
    page.get_by_label("申请理由").fill("行政处罚已履行完毕，申请解锁")
    pdf = {"mimeType": "application/pdf", "buffer": PDF_BYTES}
    page.set_input_files("#f-application_files-upload", files=[{"name": "申请表.pdf", **pdf}])
    page.set_input_files("#f-penalty_files-upload", files=[{"name": "处罚决定书.pdf", **pdf}])
    submit_step(page, "submit_request")
    assert page.get_by_label("扮演角色").input_value() == "city_reviewer"
    page.get_by_label("办理人（用于四眼原则等规则）").fill("审核员乙")
    page.get_by_label("审核结论").select_option("approve")
    submit_step(page, "review_request")
    assert page.get_by_label("扮演角色").input_value() == "city_reviewer"  # the new task, in the city lane
    page.get_by_label("复核意见").fill("处罚已履行，同意")
    check_page(page, "35-workspace-sandbox")
    submit_step(page, task_id)
    assert page.get_by_test_id("run-status").get_attribute("data-status") == "completed"
    path = page.get_by_test_id("sandbox-path")
    assert path.locator(f"[data-step='{task_id}'][data-kind=task_completed]").count() == 1
    assert path.locator("[data-step=release_locks]").count() == 1
    page.goto(draft_url)
    page.wait_for_selector("#modeler[data-state=ready]")


def test_the_analyst_changes_deploys_compares_and_migrates(new_page: Callable[..., Any], as_user: Any) -> None:
    enterprise = as_user("ent-nanning")
    running = enterprise.start(UNLOCK).json["id"]
    page = new_page(1600, 1000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    open_draft(page)
    panel_shows_our_properties(page)
    make_form(page)
    task_id = add_city_task(page)
    connect(page, "is_temporary", task_id)
    connect(page, task_id, "end_approved", at=(0.5, 0.8))  # the flow from the gateway enters at the top
    page.get_by_role("button", name="保存草稿并检查").click()
    page.wait_for_selector("#save-status.text-success-emphasis")
    problems = page.get_by_test_id("problems")
    lint = problems.locator("li[data-source=lint]", has_text="缺少条件")
    lint.first.wait_for()
    server = problems.locator("li[data-source=server]")
    server.first.wait_for()
    check_page(page, "32-workspace-modeler-problems")
    flow_id = lint.first.get_attribute("data-element")
    lint.first.locator("button").click()
    assert page.evaluate("() => window.gjyModeler.get('selection').get()[0].id") == flow_id
    panel = page.locator("#properties")
    panel.get_by_label("名称", exact=True).fill("行政处罚")  # a gateway's branch is named (a lint warning else)
    # the next field changed at once: the name still waiting in the panel's input debounce is written first
    panel.get_by_label("条件字段（表单字段）").select_option("kind")
    assert page.evaluate("(id) => window.gjyModeler.get('elementRegistry').get(id).businessObject.name",
                         flow_id) == "行政处罚"
    page.wait_for_function(CONDITION + ".startsWith('kind ==')", arg=flow_id)  # the panel redrawn with it
    panel.get_by_label("等于", exact=True).select_option("penalty")  # kind offers a fixed set: a list
    page.wait_for_function(CONDITION + " === 'kind == \"penalty\"'", arg=flow_id)
    page.get_by_role("button", name="保存草稿并检查").click()
    page.wait_for_selector("#problems[data-checked='2']", state="attached")
    assert problems.get_attribute("data-count") == "0", problems.inner_text()
    assert page.locator("#problems-empty").is_visible()
    try_in_sandbox(page, task_id)
    page.get_by_label("变更说明").fill("行政处罚解锁增加市级复核")
    page.get_by_role("button", name="部署", exact=True).click()
    page.wait_for_load_state()
    assert "已部署为版本 2" in page.locator("main").inner_text()
    assert page.get_by_test_id("current-version").first.inner_text() == "2"
    # new cases take version 2; the running one stays on 1
    new_case = enterprise.start(UNLOCK).json["id"]
    assert enterprise.case(new_case)["procedure_version"] == 2
    assert enterprise.case(running)["procedure_version"] == 1
    # the diff colours the added task
    page.get_by_role("link", name="版本对比").click()
    page.wait_for_selector("#diff-new-diagram[data-state=rendered]")
    assert task_id in (page.locator("#diff-new-diagram").get_attribute("data-added") or "").split()
    check_page(page, "33-workspace-diff")
    # a dry run, then the move of the running case
    page.goto(f"/workspace/{UNLOCK}")
    page.get_by_role("link", name="迁移办理中的办件").click()
    page.get_by_label("从版本").select_option("1")
    page.get_by_label("到版本").select_option("2")
    page.get_by_role("button", name="试运行").click()
    row = page.locator(f"[data-testid=migration-results] tr[data-case-id='{running}']")
    assert row.get_attribute("data-can-migrate") == "1"
    check_page(page, "34-workspace-migration")
    page.get_by_role("button", name="迁移所选办件").click()
    assert page.locator(f"[data-testid=migration-done] tr[data-case-id='{running}']").get_attribute(
        "data-migrated") == "1"
    assert enterprise.case(running)["procedure_version"] == 2
    assert not errors, errors


def test_a_renamed_lane_keeps_its_role_and_region_rule(new_page: Callable[..., Any]) -> None:
    page = new_page(1600, 1000)
    open_draft(page)
    select(page, "unlock_lane_city")
    panel = page.locator("#properties")
    panel.get_by_label("名称", exact=True).fill("市级住房城乡建设部门")
    panel.get_by_label("辖区规则").focus()  # the name is written when the field is left
    page.wait_for_function("() => window.gjyModeler.get('elementRegistry').get('unlock_lane_city')"
                           ".businessObject.name === '市级住房城乡建设部门'")
    assert panel.get_by_label("角色（按泳道名称）").input_value() == "city_reviewer"
    page.get_by_role("button", name="保存草稿并检查").click()
    page.wait_for_selector("#problems[data-checked='1']", state="attached")
    assert page.get_by_test_id("problems").get_attribute("data-count") == "0"
