"""The screenshots of the analyst's guide (bpmn/README.md), taken from the real pages in Debian's chromium.

    python -m tests.browser.guide_images [folder]      (default: bpmn/screenshots; `make screenshots` runs it)

The app runs on a fresh SQLite database (migrated, demo data, the shipped procedures) served by werkzeug in a
thread; chromium (Playwright, /usr/bin/chromium) signs in as the demo analyst and walks the workspace as the
guide tells it: the procedures, one procedure's versions, a draft in the modeler with the properties panel, a
form made in the form editor with its preview, the deploy checks listing a gateway flow without condition, the
draft fixed and deployed with a note, the diff of the two versions and a migration dry run of a running case.
Each image is 1280 pixels wide, reduced to a palette of colours and compressed (Pillow), so that the guide's
images stay a few hundred KB in git. Needs the npm assets (`make assets`) and the translations compiled.
"""
from __future__ import annotations

import io
import json
import logging
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.db import unit_of_work
from app.extensions import db
from app.services.demo import seed_demo
from app.services.identity.accounts import get_user_by_username, issue_token
from app.services.procedures.versions import deploy_procedures
from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS
from tests.browser.helpers import sign_in
from tests.browser.test_workspace_new_procedure import fill_decision_table
from tests.support.translations import compile_english

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "bpmn" / "screenshots"
WIDTH, HEIGHT = 1280, 900
COLOURS = 128  # a page of text, lines and a few tints keeps its look with a palette this size
UNLOCK = "personnel_unlock"
CITY_CHECK_FORM = {
    "title": "处罚解锁复核", "type": "object", "required": ["opinion"],
    "properties": {"opinion": {"type": "string", "title": "复核意见", "maxLength": 500},
                   "checked": {"type": "boolean", "title": "已核对处罚决定书原件"}}}


def _config(tmp: Path) -> dict[str, Any]:
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'guide.sqlite3'}", "UPLOAD_DIR": str(tmp / "uploads"),
            "SECRET_KEY": "guide-images", "DATA_KEY": "Z3VpZGUtaW1hZ2VzLWRhdGEta2V5LS0tLS0tLS0tLS0=",
            "DEMO": True, "WORKER": "off", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
            "SMS_GATEWAY": "memory", "BPMN_DIR": str(ROOT / "bpmn"), "FORMS_DIR": str(ROOT / "forms")}


def build_app(tmp: Path) -> Flask:
    """The app on a database of its own: migrated, with the demo data and the shipped procedures."""
    app = create_app(_config(tmp))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        with unit_of_work():
            seed_demo()
            deploy_procedures(ROOT / "bpmn", ROOT / "forms", deployed_by="guide")
    return app


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


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
    page.evaluate("async () => { await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))); }")
    png = page.screenshot(full_page=full_page, animations="disabled", caret="hide")
    path = folder / f"{name}.png"
    path.write_bytes(compress(png))
    return path


def compress(png: bytes) -> bytes:
    from PIL import Image  # Pillow comes with weasyprint (the case documents)

    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.width > WIDTH:
        image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.Resampling.LANCZOS)
    reduced = image.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    reduced.save(out, format="PNG", optimize=True)
    return out.getvalue()


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
    page.get_by_placeholder("unlock_city_check").fill("unlock_city_check")
    page.get_by_role("button", name="新建表单").click()
    page.wait_for_selector("#form-editor[data-state=ready]")
    page.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(json.dumps(CITY_CHECK_FORM, ensure_ascii=False, indent=2))
    page.wait_for_selector("#form-preview [data-field=opinion]")
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
    panel.get_by_label("等于", exact=True).fill("penalty")
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
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request of the pages
    folder = Path(argv[0]) if argv else FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    compile_english()
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        running = start_case(app)
        with serving(app) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
            context = browser.new_context(base_url=url, viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN")
            context.set_default_timeout(20_000)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            try:
                images = walk(page, folder, running)
            finally:
                browser.close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if errors:
        print("errors in the pages:", *errors, sep="\n", file=sys.stderr)
        return 1
    for image in images:
        print(f"{image.relative_to(ROOT) if image.is_relative_to(ROOT) else image}  {image.stat().st_size // 1024} KB")
    print(f"total {sum(i.stat().st_size for i in images) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
