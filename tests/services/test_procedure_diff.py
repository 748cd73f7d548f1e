"""What changed between two versions: elements of diagrams by id (layout left out), fields of forms, lanes."""
from __future__ import annotations

import json

from app.services.procedures.diff import diff_files
from tests.support.procedure_files import review_files


def test_diagram_elements_added_removed_and_changed_are_listed_by_id() -> None:
    old = review_files()
    new = review_files("material_review_review_replaced.bpmn")
    (diagram,) = [d for d in diff_files(old, new) if d.status != "unchanged"]
    assert diagram.file == "bpmn/material_review.bpmn" and diagram.status == "changed"
    assert {"city_check", "summarize", "f5b"} <= set(diagram.added)
    assert diagram.removed == ["review"]
    assert {"f4", "f5", "decision", "lane_city"} <= set(diagram.changed)
    assert "submit" not in diagram.changed  # untouched elements are not listed


def test_moving_an_element_on_the_canvas_is_no_change_of_its_element() -> None:
    old = review_files()
    new = review_files(edit=lambda text: text.replace('x="460" y="280"', 'x="470" y="290"'))
    (diagram,) = [d for d in diff_files(old, new) if d.status != "unchanged"]
    assert (diagram.added, diagram.removed, diagram.changed) == ([], [], [])


def test_form_fields_added_removed_and_changed_are_listed() -> None:
    old = review_files()
    form = json.loads(old["forms/review_submit.json"])
    form["properties"]["priority"] = {"type": "string", "title": "紧急程度"}
    del form["properties"]["files"]
    form["properties"]["title"]["maxLength"] = 50
    form["required"] = ["title"]  # amount no longer required
    new = {**old, "forms/review_submit.json": json.dumps(form, ensure_ascii=False), "forms/extra.json": "{}"}
    del new["forms/review_decision.json"]
    by_file = {d.file: d for d in diff_files(old, new)}
    changed = by_file["forms/review_submit.json"]
    assert (changed.added, changed.removed, changed.changed) == (["priority"], ["files"], ["amount", "title"])
    assert by_file["forms/extra.json"].status == "added" and by_file["forms/review_decision.json"].status == "removed"
    assert by_file["bpmn/material_review.bpmn"].status == "unchanged"
