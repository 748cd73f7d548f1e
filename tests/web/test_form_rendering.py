"""JSON Schema → fields and posted form → data, without a database."""
from __future__ import annotations

import io
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from app.web.form_rendering import data_from_form, fields_from_schema, unplaced_errors, widget_of

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "count", "rows"],
    "properties": {
        "name": {"type": "string", "title": "名称"},
        "note": {"type": "string", "title": "说明", "x-widget": "textarea"},
        "count": {"type": "integer", "title": "数量", "minimum": 1},
        "amount": {"type": "number", "title": "金额"},
        "day": {"type": "string", "format": "date", "title": "日期"},
        "kind": {"type": "string", "title": "类型",
                 "oneOf": [{"const": "a", "title": "甲"}, {"const": "b", "title": "乙"}]},
        "agree": {"type": "boolean", "title": "同意"},
        "people": {"type": "array", "title": "人员", "items": {"type": "integer", "oneOf": [
            {"const": 1, "title": "陆伟"}, {"const": 2, "title": "覃丽"}]}},
        "files": {"type": "array", "title": "附件", "items": {"type": "string", "format": "attachment",
                                                            "x-accept": ["application/pdf"]}},
        "rows": {"type": "array", "title": "明细", "items": {"type": "object", "required": ["item"], "properties": {
            "item": {"type": "string", "title": "项目"}, "qty": {"type": "integer", "title": "数量"}}}},
    },
}


def test_each_property_gets_its_widget() -> None:
    widgets = {key: widget_of(spec) for key, spec in SCHEMA["properties"].items()}
    assert widgets == {"name": "text", "note": "textarea", "count": "integer", "amount": "number", "day": "date",
                       "kind": "select", "agree": "checkbox", "people": "checkboxes", "files": "file",
                       "rows": "rows"}


def test_fields_carry_values_errors_and_choices() -> None:
    values = {"name": "甲方", "kind": "b", "people": [2], "files": ["f-1"], "rows": [{"item": "钢筋", "qty": "x"}]}
    errors = {"name": "太短", "rows.0.qty": "格式不正确，应为整数", "other": "全局错误"}
    fields = {f.name: f for f in fields_from_schema(SCHEMA, values, errors, {"f-1": "申请表.pdf"})}
    assert fields["name"].value == "甲方" and fields["name"].error == "太短" and fields["name"].required
    assert [(o.value, o.selected) for o in fields["kind"].options] == [("a", False), ("b", True)]
    assert [(o.title, o.selected) for o in fields["people"].options] == [("陆伟", False), ("覃丽", True)]
    assert fields["files"].files == [("f-1", "申请表.pdf")] and ".pdf" in fields["files"].accept
    row = {f.name: f for f in fields["rows"].rows[0]}
    assert row["rows.0.qty"].value == "x" and row["rows.0.qty"].error == "格式不正确，应为整数"
    assert fields["rows"].template[0].name == "rows.__i__.item"
    assert unplaced_errors(list(fields.values()), errors) == ["全局错误"]


def test_posted_form_becomes_typed_data_and_keeps_bad_input() -> None:
    form = MultiDict([("name", " 甲方 "), ("count", "3"), ("amount", "abc"), ("kind", "a"), ("agree", "true"),
                      ("people", "1"), ("people", "2"), ("files", "kept-id"), ("note", ""),
                      ("rows.0.item", "钢筋"), ("rows.0.qty", "5"), ("rows.3.item", ""), ("rows.3.qty", ""),
                      ("rows.7.item", "水泥"), ("rows.7.qty", "")])
    uploads = MultiDict([("files__upload", FileStorage(io.BytesIO(b"%PDF-"), filename="新.pdf"))])
    stored: list[str] = []

    def store(name: str, upload: FileStorage) -> str:
        stored.append(f"{name}:{upload.filename}")
        return "new-id"
    data = data_from_form(SCHEMA, form, uploads, store)
    assert data == {"name": "甲方", "count": 3, "amount": "abc", "kind": "a", "agree": True, "people": [1, 2],
                    "files": ["kept-id", "new-id"], "rows": [{"item": "钢筋", "qty": 5}, {"item": "水泥"}]}
    assert stored == ["files:新.pdf"]


def test_unchecked_boxes_and_empty_inputs() -> None:
    data = data_from_form(SCHEMA, MultiDict([("name", ""), ("count", "")]), MultiDict(), lambda *_: "")
    assert data == {"agree": False, "people": [], "files": [], "rows": []}
