"""The analyst changes the unlock procedure in the pages (chromium): the modeler, the form editor, lint and the
server's checks as one list, deploy with a note, the visual diff and the migration of a running case."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]


def open_draft(page: Any) -> None:
    sign_in(page, "analyst")
    page.goto("/workspace/personnel_unlock")
    page.get_by_role("button", name="新建草稿").click()
    page.wait_for_selector("#modeler[data-state=ready]")


def test_the_modeler_opens_the_shipped_unlock_diagram_without_problems(new_page: Callable[..., Any]) -> None:
    page = new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    open_draft(page)
    page.wait_for_function("() => window.gjyWorkspace && document.getElementById('problems').dataset.count === '0'")
    assert not errors, errors
