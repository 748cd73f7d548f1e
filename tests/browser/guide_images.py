"""The screenshots of the analyst's guide (bpmn/README.md), taken from the real pages in Debian's chromium.

    python -m tests.browser.guide_images [folder]      (default: bpmn/screenshots; `make screenshots` runs it)

The app runs on a fresh demo site (tests.browser.demo_site: a migrated SQLite database, the demo data, the shipped
procedures, werkzeug in a thread); chromium (Playwright, /usr/bin/chromium) signs in as the demo analyst and walks
the workspace as the guide tells it: the procedures, one procedure's versions, a draft in the modeler with the
properties panel, a form made in the form editor with its preview, the deploy checks listing a gateway flow without
condition, the draft fixed and deployed with a note, the diff of the two versions and a migration dry run of a
running case.
Each image is 1280 pixels wide, reduced to a palette of colours and compressed (Pillow), so that the guide's
images stay a few hundred KB in git. Needs the npm assets (`make assets`) and the translations compiled.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from flask import Flask

from app.db import unit_of_work
from app.services.identity.accounts import get_user_by_username, issue_token
from tests.browser.demo_site import ROOT, Site, compress, screenshot, take_images
from tests.browser.helpers import new_form, sign_in
from tests.browser.test_workspace_new_procedure import fill_decision_table

FOLDER = ROOT / "bpmn" / "screenshots"
WIDTH, HEIGHT = 1280, 900
UNLOCK = "personnel_unlock"
CITY_CHECK_FORM = {
    "title": "处罚解锁复核", "type": "object", "required": ["opinion"],
    "properties": {"opinion": {"type": "string", "title": "复核意见", "maxLength": 500},
                   "checked": {"type": "boolean", "title": "已核对处罚决定书原件"}}}


def start_case(app: Flask, username: str = "ent-nanning") -> int:
    """A running unlock case (the enterprise's, through the REST API), for the migration page."""
    with app.app_context(), unit_of_work():
        token = issue_token(get_user_by_username(username))
    started = app.test_client().post("/api/v1/cases", json={"procedure": UNLOCK, "data": {}},
                                     headers={"Authorization": f"Bearer {token}"})
    assert started.status_code == 201, started.get_json()
    return int(started.get_json()["id"])


def save(page: Any, folder: Path, name: str, full_page: bool = True) -> Path:
    """The page as a 1280-wide PNG with a palette (transitions finished, the focus ring and caret gone)."""
    path = folder / f"{name}.png"
    path.write_bytes(compress(screenshot(page, full_page=full_page), WIDTH))
    return path


# The whole diagram a little smaller, moved right of the modeler's palette.
CLEAR_OF_PALETTE = """() => {
  const canvas = window.gjyModeler.get('canvas');
  canvas.zoom('fit-viewport');
  canvas.zoom(canvas.zoom() * 0.84, {x: 0, y: 0});
  canvas.scroll({dx: 115, dy: 10});
}"""


def select(page: Any, element_id: str) -> None:
    page.evaluate("(id) => { const m = window.gjyModeler; "
                  "m.get('selection').select(m.get('elementRegistry').get(id)); }", element_id)


def add_task(page: Any, below: str, source: str, target: str) -> tuple[str, str]:
    """A user task drawn below `below` (in its lane), a flow from `source` to it and one from it to `target`:
    (the task's id, the id of the flow into it)."""
    ids: list[str] = page.evaluate("""([below, source, target]) => {
      const m = window.gjyModeler, registry = m.get('elementRegistry'), modeling = m.get('modeling');
      const anchor = registry.get(below);
      const shape = modeling.createShape(m.get('elementFactory').createShape({type: 'bpmn:UserTask'}),
        {x: anchor.x + anchor.width / 2, y: anchor.y + anchor.height * 1.9}, anchor.parent);
      const into = modeling.connect(registry.get(source), shape);
      modeling.connect(shape, registry.get(target));
      return [shape.id, into.id];
    }""", [below, source, target])
    return ids[0], ids[1]


def save_and_check(page: Any, checked: int) -> None:
    page.get_by_role("button", name="保存草稿并检查").click()
    page.wait_for_selector(f"#problems[data-checked='{checked}']", state="attached")


def walk(page: Any, folder: Path, running: int) -> list[Path]:
    """The guide's pages in its order; returns the images written."""
    images = []
    sign_in(page, "analyst")
    page.goto("/workspace")
    images.append(save(page, folder, "29-workspace-index"))
    page.goto(f"/workspace/{UNLOCK}")
    images.append(save(page, folder, "30-workspace-procedure"))
    page.get_by_role("button", name="新建草稿").click()
    page.wait_for_selector("#modeler[data-state=ready]")
    # the form editor: a new form, its JSON typed, the preview drawn by the task pages' renderer
    new_form(page, "unlock_city_check", CITY_CHECK_FORM, "opinion")
    page.locator("h1").click()  # the editor's caret blinks while it has the focus
    images.append(save(page, folder, "31-workspace-form-editor"))
    page.get_by_role("button", name="保存到草稿").click()
    page.wait_for_selector("#save-status.text-success-emphasis")
    page.get_by_role("link", name="返回流程图").click()
    page.wait_for_selector("#modeler[data-state=ready]")
    # the modeler: a review step drawn in the city lane after "临时解锁？", named and linked to the form
    page.evaluate(CLEAR_OF_PALETTE)
    task_id, flow_id = add_task(page, "release_locks", "is_temporary", "end_approved")
    select(page, task_id)
    panel = page.locator("#properties")
    panel.get_by_label("名称", exact=True).fill("处罚解锁复核")
    panel.get_by_label("表单", exact=True).select_option("unlock_city_check")  # the name is written when left
    page.wait_for_function("(id) => window.gjyModeler.get('elementRegistry').get(id).businessObject.name"
                           " === '处罚解锁复核'", arg=task_id)
    images.append(save(page, folder, "32-workspace-modeler", full_page=False))
    # the checks: the new flow out of the gateway has neither condition nor default; a click selects it
    save_and_check(page, 1)
    page.locator("#problems li[data-source=server]").first.wait_for()
    page.locator(f"#problems li[data-element={flow_id}] button").first.click()
    images.append(save(page, folder, "33-workspace-checks"))
    panel.get_by_label("名称", exact=True).fill("行政处罚")
    panel.get_by_label("条件字段（表单字段）").select_option("kind")
    panel.get_by_label("等于", exact=True).select_option("penalty")  # kind offers a fixed set: a list
    panel.get_by_label("名称", exact=True).focus()
    save_and_check(page, 2)
    problems = page.get_by_test_id("problems")
    assert problems.get_attribute("data-count") == "0", problems.inner_text()
    page.get_by_label("变更说明").fill("永久解锁前增加市级处罚解锁复核")
    page.get_by_role("button", name="部署", exact=True).click()
    page.wait_for_load_state()
    assert "已部署为版本 2" in page.locator("main").inner_text()
    page.get_by_role("link", name="版本对比").click()
    page.wait_for_selector("#diff-new-diagram[data-state=rendered]")
    images.append(save(page, folder, "34-workspace-diff"))
    page.goto(f"/workspace/{UNLOCK}")
    page.get_by_role("link", name="迁移办理中的办件").click()
    page.get_by_label("从版本").select_option("1")
    page.get_by_label("到版本").select_option("2")
    page.get_by_role("button", name="试运行").click()
    page.locator(f"[data-testid=migration-results] tr[data-case-id='{running}']").wait_for()
    images.append(save(page, folder, "35-workspace-migration"))
    # the decision table editor (guide 4b): a table typed in dmn-js on a new draft
    page.goto(f"/workspace/{UNLOCK}")
    page.get_by_role("button", name="新建草稿").click()
    page.wait_for_selector("#modeler[data-state=ready]")
    fill_decision_table(page)
    images.append(save(page, folder, "35-workspace-decision-table"))
    return images


def main(argv: list[str]) -> int:
    def guide(site: Site) -> list[Path]:
        return walk(site.new_page(), site.folder, start_case(site.app))
    return take_images(Path(argv[0]) if argv else FOLDER, guide, WIDTH, HEIGHT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
