"""A form page sends only its form's fields, so that the server's refusal of fields a form does not define
(services.procedures.forms.validate) never refuses a page: the applicant's 补正 of a returned unlock request
opens pre-filled from the case's data, which holds the reviewer's fields (decision, comment, missing_items) and
those the system wrote; posted back as the browser posts it on 提交 (csrf_token, every input as the page filled
it, and the file asked for) it goes through, while the API refuses the same form with a field it does not have."""
from __future__ import annotations

import io
from html.parser import HTMLParser
from typing import Any

from flask import Flask

from tests.api.test_review_rounds import RETURNED, returned_for_supplement
from tests.procedures.steps import field_errors, task_of
from tests.support.api import PDF_BYTES
from tests.support.web import WebUser


class _FormInputs(HTMLParser):
    """The name/value pairs a browser submits for the form marked data-testid="task-form" when its 提交
    button is pressed (text and hidden inputs, checked boxes and radios, selected options, text areas)."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._in_form = a.get("data-testid") == "task-form"
        if not self._in_form or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("file", "submit", "button", "reset"):
                self.pairs.append((name, a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.pairs.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.pairs.append((self._textarea[0], "".join(self._textarea[1]).removeprefix("\n")))
            self._textarea = None


def test_the_returned_request_posted_back_as_the_page_filled_it_goes_through(app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, request = returned_for_supplement(app, ent, city)
    assert {"decision", "comment", "missing_items"} <= set(ent.case(case_id)["data"])  # the reviewer's keys
    task = task_of(ent, case_id)
    assert task is not None
    # Through the API, the reviewer's field in the applicant's form is not the form's: refused.
    assert field_errors(ent.complete(task["id"], {**request, "comment": "补正"})) == {"comment": "表单中没有该字段"}
    page = WebUser(app, "ent-nanning").login()
    html = page.html(f"/tasks/{task['id']}")
    assert RETURNED in html
    parser = _FormInputs()
    parser.feed(html)
    names = {name for name, _value in parser.pairs}
    assert {"csrf_token", "reason", "kind"} <= names and not {"decision", "comment", "missing_items"} & names
    form: dict[str, Any] = {}
    for name, value in parser.pairs:
        form.setdefault(name, []).append(value)
    # the one thing typed: the 补正 file the city asked for, chosen in the page's file box
    form["completion_files__upload"] = (io.BytesIO(PDF_BYTES), "竣工验收（盖章）.pdf")
    sent = page.client.post(f"/tasks/{task['id']}", data=form, content_type="multipart/form-data")
    assert sent.status_code == 302 and f"/cases/{case_id}" in sent.headers["Location"], sent.get_data(as_text=True)
    assert city.task_for(case_id) is not None and task_of(ent, case_id) is None
