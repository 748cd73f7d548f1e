"""The modeler's properties panel (chromium): a gateway flow's condition keeps the value typed fast (before the
field is chosen, or with another field changed right after), offers the values of a field with a fixed set as a
list, a field keeps the keys typed after a pause, the English name (`nameEn`) of elements, a business rule task
offered the draft's decision tables."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from app.extensions import db
from app.models.procedure_draft import ProcedureDraft
from tests.browser.helpers import open_new_draft
from tests.browser.test_workspace_modeler import select

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]

CONDITION = ("(id) => { const bo = window.gjyModeler.get('elementRegistry').get(id).businessObject; "
             "return bo.conditionExpression ? bo.conditionExpression.body : null; }")


def test_a_condition_keeps_the_value_typed_fast(new_page: Callable[..., Any]) -> None:
    page = new_page(1600, 1000)
    open_new_draft(page)
    panel = page.locator("#properties")
    # the value typed first, the field chosen right after (the condition is created by the choice)
    select(page, "f_back")
    panel.get_by_label("等于", exact=True).click()
    page.keyboard.type("return", delay=5)
    panel.get_by_label("条件字段（表单字段）").focus()
    panel.get_by_label("条件字段（表单字段）").select_option("decision")
    page.wait_for_timeout(600)
    assert page.evaluate(CONDITION, "f_back") == 'decision == "return"'
    assert panel.get_by_label("等于", exact=True).input_value() == "return"  # now picked from decision's values
    # the value retyped in a free field's text box, another field changed at once
    select(page, "f_approve")
    panel.get_by_label("条件字段（表单字段）").select_option("comment")
    value = panel.get_by_label("等于", exact=True)
    value.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("agree", delay=5)
    panel.get_by_label("条件字段（表单字段）").focus()
    panel.get_by_label("条件字段（表单字段）").select_option("reason")
    page.wait_for_timeout(600)
    assert page.evaluate(CONDITION, "f_approve") == 'reason == "agree"'
    # the value typed, the flow's name typed right after
    select(page, "f_temporary")
    panel.get_by_label("条件字段（表单字段）").select_option("comment")
    value = panel.get_by_label("等于", exact=True)
    value.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("temp", delay=5)
    panel.get_by_label("名称", exact=True).click()
    page.keyboard.type("临时", delay=5)
    page.wait_for_timeout(600)
    assert page.evaluate(CONDITION, "f_temporary") == 'comment == "temp"'


def test_a_field_with_choices_offers_them_as_the_value(new_page: Callable[..., Any], app: Flask) -> None:
    """Deploy refuses a condition comparing a field that offers a fixed set of values with another text: the
    panel offers that set ("title (value)") instead of a text box, and the condition compares the value itself.
    A free field keeps its text box."""
    page = new_page(1600, 1000)
    open_new_draft(page)
    panel = page.locator("#properties")
    select(page, "f_approve")  # decision == "approve"; decision is unlock_review's oneOf
    value = panel.get_by_label("等于", exact=True)
    assert value.evaluate("e => e.tagName") == "SELECT"
    assert value.input_value() == "approve"
    offered = value.locator("option").all_inner_texts()
    assert offered == ["（无）", "同意解锁 (approve)", "不予解锁 (reject)", "退回补正 (return)"]
    value.select_option(label="不予解锁 (reject)")
    assert page.evaluate(CONDITION, "f_approve") == 'decision == "reject"'
    select(page, "f_temporary")  # another field, its own choices
    kinds = panel.get_by_label("等于", exact=True).locator("option").all_inner_texts()
    assert "临时解锁 (temporary)" in kinds and "履职变更解锁 (duty_change)" in kinds
    assert "同意解锁 (approve)" not in kinds
    # a free field: a text box; back to kind, the value kept and picked in the list again
    field = panel.get_by_label("条件字段（表单字段）")
    field.select_option("comment")
    assert panel.get_by_label("等于", exact=True).evaluate("e => e.tagName") == "INPUT"
    assert page.evaluate(CONDITION, "f_temporary") == 'comment == "temporary"'
    field.select_option("kind")
    assert panel.get_by_label("等于", exact=True).evaluate("e => e.tagName") == "SELECT"
    assert panel.get_by_label("等于", exact=True).input_value() == "temporary"
    select(page, "f_approve")
    panel.get_by_label("等于", exact=True).select_option("approve")
    page.get_by_role("button", name="保存草稿并检查").click()
    page.wait_for_selector("#problems[data-checked='1']", state="attached")
    xml = saved_diagram(app, page)
    assert 'decision == "approve"' in xml or 'decision == &#34;approve&#34;' in xml
    assert "同意解锁" not in xml.split('id="f_approve"')[1].split("</bpmn:sequenceFlow>")[0]
    problems = page.get_by_test_id("problems")
    assert problems.get_attribute("data-count") == "0", problems.inner_text()


# An element's spiffworkflow:properties value ([id, name]); a pool's are its process's.
PROPERTY = ("([id, name]) => { const m = window.gjyModeler; "
            "let bo = m.get('elementRegistry').get(id).businessObject; if (bo.processRef) { bo = bo.processRef; } "
            "const ext = (bo.extensionElements && bo.extensionElements.values) || []; "
            "const props = ext.find(v => v.$type === 'spiffworkflow:Properties'); "
            "const found = props && props.values.find(p => p.name === name); return found ? found.value : null; }")


def test_a_pause_while_typing_keeps_the_field_and_the_keys_after_it(new_page: Callable[..., Any]) -> None:
    """A pause longer than the panel's debounce writes the half-typed value into the diagram; the field stays
    where the analyst types (it was replaced on that write, and the keys typed after the pause were lost)."""
    page = new_page(1600, 1000)
    open_new_draft(page)
    panel = page.locator("#properties")
    select(page, "f_approve")
    panel.get_by_label("条件字段（表单字段）").select_option("comment")  # a free field: a text box
    value = panel.get_by_label("等于", exact=True)
    value.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("app", delay=5)
    page.wait_for_timeout(700)  # the debounce (300 ms) has written "app"
    page.keyboard.type("rove", delay=5)
    page.wait_for_timeout(600)
    assert value.input_value() == "approve"
    assert page.evaluate(CONDITION, "f_approve") == 'comment == "approve"'
    # one of our plain text properties, on a user task
    select(page, "review_request")
    due = panel.get_by_label("办理时限")
    due.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("4 work", delay=5)
    page.wait_for_timeout(700)
    page.keyboard.type("ing days", delay=5)
    page.wait_for_timeout(600)
    assert due.input_value() == "4 working days"
    assert page.evaluate(PROPERTY, ["review_request", "dueIn"]) == "4 working days"


def test_elements_carry_an_english_name(new_page: Callable[..., Any]) -> None:
    page = new_page(1600, 1000)
    open_new_draft(page)
    panel = page.locator("#properties")
    names = {"participant_personnel_unlock": "Personnel unlock", "unlock_lane_city": "City authority",
             "review_request": "Review the request", "decision": "Approved?", "start": "Request"}
    for element_id, english in names.items():
        select(page, element_id)
        field = panel.get_by_label("英文名称", exact=True)
        field.fill(english)
        field.blur()
        assert page.evaluate(PROPERTY, [element_id, "nameEn"]) == english, element_id
    select(page, "review_request")  # shown again from the diagram
    assert panel.get_by_label("英文名称", exact=True).input_value() == "Review the request"
    select(page, "f_approve")  # a flow has none
    assert panel.get_by_label("英文名称", exact=True).count() == 0
    page.get_by_role("button", name="保存草稿并检查").click()
    page.wait_for_selector("#problems[data-checked='1']", state="attached")
    xml = page.evaluate("async () => (await window.gjyModeler.saveXML({format: true})).xml")
    assert '<spiffworkflow:property name="nameEn" value="Personnel unlock" />' in xml
    problems = page.get_by_test_id("problems")
    assert problems.get_attribute("data-count") == "0", problems.inner_text()


def test_the_panel_and_the_decision_table_editor_speak_the_page_language(new_page: Callable[..., Any]) -> None:
    page = new_page(1600, 1000)
    open_new_draft(page)
    # the panel's header names the element's type in Chinese (it said USER TASK, SEQUENCE FLOW, LANE)
    header = page.locator("#properties .bio-properties-panel-header-type")
    for element, kind in (("review_request", "用户任务（办理步骤）"), ("f_back", "默认连线")):
        select(page, element)
        assert header.inner_text().strip() == kind, element
    page.locator("[data-element-id=review_request]").first.click()
    page.locator(".djs-context-pad [data-action=replace]").click()  # 更改类型: every entry in Chinese
    entries = page.locator(".djs-popup .entry").all_inner_texts()
    assert "发送任务" in entries and "人工任务（不由系统办理）" in entries
    assert not [e for e in entries if re.search(r"[A-Za-z]{3}", e)], entries
    page.keyboard.press("Escape")
    page.locator("#new-decision-id").fill("unlock_level")
    page.get_by_role("button", name="新建决策表").click()
    page.wait_for_selector("#decision-editor[data-state=ready]")
    box = page.locator("#decision-editor")
    assert "命中策略" in box.inner_text() and "当" in box.inner_text()
    assert box.locator(".hit-policy .dms-input").inner_text() == "唯一（UNIQUE，第一条匹配的规则）"
    box.locator(".hit-policy .dms-input").click()
    policies = page.locator(".dms-select-options .option").all_inner_texts()
    assert "First（不支持）" in policies and "收集（COLLECT，所有匹配规则的输出）" in policies  # what the engine runs
    page.keyboard.press("Escape")
    draft_url = page.get_by_role("link", name="返回流程图").get_attribute("href")
    page.goto(f"/lang/en?next={draft_url}")
    page.wait_for_selector("#modeler[data-state=ready]")
    select(page, "review_request")
    panel = page.locator("#properties")
    assert panel.get_by_label("English name", exact=True).count() == 1
    assert panel.get_by_label("Not the person who did (four eyes)").count() == 1
    page.get_by_role("link", name="unlock_level").click()
    page.wait_for_selector("#decision-editor[data-state=ready]")
    assert "Hit policy" in page.locator("#decision-editor").inner_text()
    assert page.locator("#decision-editor .hit-policy .dms-input").inner_text() == "Unique (the first matching rule)"
    assert page.get_by_role("button", name="Save to the draft and check").count() == 1


def saved_diagram(app: Flask, page: Any) -> str:
    """The diagram as the server holds it in the draft the page shows."""
    draft_id = int(re.search(r"/drafts/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    with app.app_context():
        draft = db.session.get(ProcedureDraft, draft_id)
        assert draft is not None
        return next(text for name, text in draft.files.items() if name.endswith(".bpmn"))


def test_a_value_typed_just_before_another_edit_or_the_save_is_kept(new_page: Callable[..., Any], app: Flask) -> None:
    page = new_page(1600, 1000)
    open_new_draft(page)
    panel = page.locator("#properties")
    # a task's deadline typed, its form chosen at once (no pause, the text field not left)
    select(page, "review_request")
    panel.get_by_label("办理时限").fill("4 working days")
    panel.get_by_label("表单", exact=True).select_option("unlock_request")
    assert page.evaluate(PROPERTY, ["review_request", "dueIn"]) == "4 working days"  # written before the form
    # a flow's name typed, its condition field chosen at once; its value typed (a free field's text box) and the
    # draft saved at once
    select(page, "f_back")
    panel.get_by_label("名称", exact=True).fill("退回")
    panel.get_by_label("条件字段（表单字段）").select_option("comment")
    assert page.evaluate("() => window.gjyModeler.get('elementRegistry').get('f_back').businessObject.name") == "退回"
    panel.get_by_label("等于", exact=True).fill("return")
    page.evaluate("() => window.gjyWorkspace.save()")
    page.wait_for_selector("#save-status.text-success-emphasis")
    xml = saved_diagram(app, page)
    assert '<spiffworkflow:property name="dueIn" value="4 working days" />' in xml
    assert '<spiffworkflow:property name="formKey" value="unlock_request" />' in xml
    assert 'name="退回"' in xml
    assert 'comment == "return"' in xml or 'comment == &#34;return&#34;' in xml
    # the page's own save button, a name typed just before it is clicked
    select(page, "review_request")
    panel.get_by_label("英文名称", exact=True).fill("Review the request")
    page.get_by_role("button", name="保存草稿并检查").click()
    page.wait_for_selector("#problems[data-checked='1']", state="attached")
    assert '<spiffworkflow:property name="nameEn" value="Review the request" />' in saved_diagram(app, page)


def test_the_first_edit_of_a_draft_saved_at_once_by_the_button(new_page: Callable[..., Any], app: Flask) -> None:
    """The button does not move when the status first says 有未保存的修改 (the field's blur at the click's
    mousedown writes the value): the status used to appear after the button and push it 100 px left, so the
    mouseup landed beside it and the click was lost."""
    page = new_page(1600, 1000)
    open_new_draft(page)
    select(page, "review_request")
    page.locator("#properties").get_by_label("办理时限").fill("4 working days")
    page.get_by_role("button", name="保存草稿并检查").click()
    page.wait_for_selector("#problems[data-checked='1']", state="attached", timeout=10_000)
    assert '<spiffworkflow:property name="dueIn" value="4 working days" />' in saved_diagram(app, page)


def test_a_timer_and_a_script_are_written_in_the_panel(new_page: Callable[..., Any], app: Flask) -> None:
    """bpmn/README.md tells analysts to write timers and scripts, and the panel had no field for either: a
    timer made from the palette could not be deployed, a script task could not be given its script."""
    page = new_page(1600, 1000)
    open_new_draft(page)
    panel = page.locator("#properties")
    select(page, "wait_relock")
    assert panel.get_by_label("定时方式").input_value() == "timeDate"
    expression = panel.get_by_label("定时表达式（Python）")
    assert expression.input_value() == "end_of_day(temporary_end_date)"
    panel.get_by_label("定时方式").select_option("timeDuration")
    expression.fill('"P30D"')
    # a service task turned into a script task (as 更改类型 does), then given its script
    page.evaluate("() => { const m = window.gjyModeler; m.get('bpmnReplace').replaceElement("
                  "m.get('elementRegistry').get('restore_locks'), { type: 'bpmn:ScriptTask' }); }")
    select(page, "restore_locks")
    panel.get_by_label("脚本（Python，受限）").fill("relock_count = 1")
    page.get_by_role("button", name="保存草稿并检查").click()
    page.wait_for_selector("#problems[data-checked='1']", state="attached")
    xml = saved_diagram(app, page)
    assert '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P30D"</bpmn:timeDuration>' in xml
    assert "<bpmn:timeDate" not in xml
    assert re.search(r'<bpmn:scriptTask id="restore_locks"[^>]*>.*<bpmn:script>relock_count = 1</bpmn:script>', xml,
                     re.S)
