"""The modeler's properties panel offers the kinds of organisation that may start a procedure
(`startOrganisations`) beside its roles, and the checks after a save name a kind the server does not know."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.helpers import open_new_draft
from tests.browser.test_workspace_modeler import select
from tests.browser.test_workspace_modeler_panel import PROPERTY

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]


def test_the_pool_offers_the_start_organisations_and_an_unknown_kind_is_a_problem(
        new_page: Callable[..., Any]) -> None:
    page = new_page(1600, 1000)
    open_new_draft(page)
    panel = page.locator("#properties")
    select(page, "participant_personnel_unlock")
    kinds = panel.get_by_label("可发起的单位类型")
    assert kinds.input_value() == "enterprise"  # the shipped diagram's: a construction unit is not offered it
    kinds.fill("enterprise,contractor")
    kinds.blur()
    assert page.evaluate(PROPERTY, ["participant_personnel_unlock", "startOrganisations"]) == "enterprise,contractor"
    page.get_by_role("button", name="保存草稿并检查").click()
    page.wait_for_selector("#problems[data-checked='1']", state="attached")
    server = page.get_by_test_id("problems").locator("li[data-source=server]")
    assert "startOrganisations 含未知单位类型 'contractor'" in server.all_inner_texts()[0], server.all_inner_texts()
