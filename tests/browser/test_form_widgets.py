"""Every widget of a JSON Schema form in chromium: repeatable rows added and removed, then parsed back."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, render_template_string
from werkzeug.datastructures import MultiDict

from app.web.form_rendering import data_from_form, fields_from_schema
from tests.browser.conftest import ROOT, VENDOR
from tests.browser.helpers import check_page
from tests.web.test_form_rendering import SCHEMA

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>表单控件</title></head>
<body><main><h1>表单控件</h1>{% from "_macros.html" import field %}
<form data-testid="task-form">{% for f in fields %}{{ field(f) }}{% endfor %}</form></main></body></html>"""


def test_every_widget_renders_accessibly_and_rows_can_be_added_and_removed(chromium: Any, app: Flask) -> None:
    with app.test_request_context():
        html = render_template_string(PAGE, fields=fields_from_schema(SCHEMA, {"rows": [{"item": "钢筋", "qty": 2}]}))
    page = chromium.new_page()
    page.set_default_timeout(5_000)
    page.set_content(html)
    page.add_style_tag(path=str(VENDOR / "bootstrap" / "bootstrap.min.css"))
    page.add_style_tag(path=str(ROOT / "app" / "web" / "static" / "css" / "app.css"))
    page.add_script_tag(path=str(ROOT / "app" / "web" / "static" / "js" / "forms.js"))
    add = page.get_by_role("button", name="添加一行")
    add.click()
    add.click()
    page.locator("[name='rows.1.item']").fill("水泥")
    page.locator("[name='rows.2.item']").fill("砂石")
    page.locator("[name='rows.2.qty']").fill("9")
    page.locator(".rows-list .row-item").nth(1).get_by_role("button", name="删除此行").click()
    assert page.evaluate("document.activeElement.textContent.trim()") == "添加一行"
    page.get_by_label("名称").fill("甲方")
    page.get_by_label("类型").select_option("b")
    page.get_by_label("覃丽").check()
    page.get_by_label("同意").check()
    check_page(page, "16-form-widgets")
    pairs = page.evaluate("[...new FormData(document.querySelector('form')).entries()]"
                          ".filter(([k, v]) => typeof v === 'string')")
    data = data_from_form(SCHEMA, MultiDict(pairs), MultiDict(), lambda *_: "")
    assert data["rows"] == [{"item": "钢筋", "qty": 2}, {"item": "砂石", "qty": 9}]
    assert data["name"] == "甲方" and data["kind"] == "b" and data["people"] == [2] and data["agree"] is True
    page.close()
