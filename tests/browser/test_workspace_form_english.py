"""The form editor's English texts (chromium): every title, description, choice and custom message of a form is
listed beside an English input that writes `title_en` / `description_en` / `x-messages_en` into the schema;
texts without English are marked and counted; the English pages show what was written. A refused preview says why."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from app.extensions import db
from app.models.procedure_draft import ProcedureDraft
from tests.browser.helpers import new_form, open_new_draft

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]

FORM = {"title": "处罚解锁复核", "type": "object", "required": ["opinion", "result"],
        "properties": {
            "opinion": {"type": "string", "title": "复核意见", "maxLength": 500,
                        "x-messages": {"required": "请填写复核意见"}},
            "result": {"type": "string", "title": "复核结果", "title_en": "Result",
                       "oneOf": [{"const": "keep", "title": "维持"}, {"const": "change", "title": "变更"}]}}}


def english_row(page: Any, where: str, key: str = "title") -> Any:
    return page.locator(f"[data-testid=form-english] tr[data-where='{where}'][data-key='{key}']")


def test_the_form_editor_writes_each_text_s_english(new_page: Callable[..., Any], app: Flask) -> None:
    page = new_page(1600, 1000)
    open_new_draft(page)
    new_form(page, "unlock_city_check", FORM, "result")
    english = page.get_by_test_id("form-english")
    # every text is listed; those without English are marked and counted (the result's title has its English)
    assert english_row(page, "result").get_attribute("data-missing") == "0"
    assert english_row(page, "result").locator("input").input_value() == "Result"
    missing = ["表单", "opinion", "result = keep", "result = change"]
    for where in missing:
        assert english_row(page, where).get_attribute("data-missing") == "1", where
    assert english_row(page, "opinion", "x-messages.required").get_attribute("data-missing") == "1"
    assert english.get_attribute("data-missing") == "5"
    assert "5 条文本还没有英文" in page.locator("#form-english-summary").inner_text()
    # the English typed beside the Chinese, then saved at once
    for where, text in (("表单", "Penalty unlock re-check"), ("opinion", "Re-check opinion"),
                        ("result = keep", "Keep"), ("result = change", "Change")):
        english_row(page, where).locator("input").fill(text)
    english_row(page, "opinion", "x-messages.required").locator("input").fill("Write the re-check opinion")
    assert english.get_attribute("data-missing") == "0"
    assert "每条文本都有英文" in page.locator("#form-english-summary").inner_text()
    page.get_by_role("button", name="保存到草稿").click()
    page.wait_for_selector("#save-status.text-success-emphasis")
    draft_id = int(re.search(r"/drafts/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    with app.app_context():
        draft = db.session.get(ProcedureDraft, draft_id)
        assert draft is not None
        text = draft.files["forms/unlock_city_check.json"]
    schema = json.loads(text)
    assert schema["title_en"] == "Penalty unlock re-check"
    assert schema["properties"]["opinion"]["title_en"] == "Re-check opinion"
    assert schema["properties"]["opinion"]["x-messages_en"] == {"required": "Write the re-check opinion"}
    assert [c.get("title_en") for c in schema["properties"]["result"]["oneOf"]] == ["Keep", "Change"]
    assert schema["properties"]["result"]["title_en"] == "Result"
    assert '"title": "复核意见", "title_en": "Re-check opinion"' in text  # written beside the Chinese, layout kept
    # the English page's preview shows it
    page.goto(f"/lang/en?next={page.url.split(page.url.split('/workspace')[0])[1]}")
    page.wait_for_selector("#form-editor[data-state=ready]")
    preview = page.locator("#form-preview")
    assert "Re-check opinion" in preview.locator("[data-field=opinion]").inner_text()
    assert "Keep" in preview.locator("[data-field=result]").inner_text()
    assert english_row(page, "Form").get_attribute("data-missing") == "0"
    # clearing an English text removes it and marks the text again
    english_row(page, "result = change").locator("input").fill("")
    assert english.get_attribute("data-missing") == "1"
    assert '"title_en": "Change"' not in page.evaluate("() => window.gjyFormEditor.view.state.doc.toString()")
    json.loads(page.evaluate("() => window.gjyFormEditor.view.state.doc.toString()"))  # still JSON


def test_a_refused_preview_says_why_and_keeps_the_text(new_page: Callable[..., Any]) -> None:
    """The preview is requested as the analyst types; once the session has ended it is refused, and the editor
    says so where saving speaks (it stayed silent: the analyst kept typing into a page that saves nothing)."""
    page = new_page(1600, 1000)
    open_new_draft(page)
    new_form(page, "unlock_city_check", FORM, "result")
    page.context.clear_cookies()  # the session ended (signed out in another tab, or timed out)
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" ")
    status = page.locator("#save-status.text-danger-emphasis")
    status.wait_for()
    assert "页面已过期" in status.inner_text()
    assert page.locator("#form-preview [data-field=result]").count() == 1  # the last preview stays
