"""Page helpers for the browser tests: sign in, accessibility check (axe-core), screenshots, form filling."""
from __future__ import annotations

import json
import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from app.integrations.sms import MemorySmsGateway
from app.services.demo import DEMO_PASSWORD, DEMO_PHONES
from tests.browser.conftest import AXE
from tests.support.web import PDF_BYTES

CHECKED_PAGES: list[str] = []


def password_step(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def code_step(page: Any, code: str) -> None:
    page.get_by_label("验证码", exact=True).fill(code)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def sign_in(page: Any, username: str, password: str = DEMO_PASSWORD, phone: str | None = None) -> None:
    """Account + password, then the code the SMS gateway (the tests' memory gateway) carried to the phone."""
    password_step(page, username, password)
    assert page.url.endswith("/login/code"), f"{username}: {page.locator('main').inner_text()[:300]}"
    code = MemorySmsGateway.shared().last_code(phone or DEMO_PHONES[username])
    assert code, f"no code was sent to {username}"
    code_step(page, code)
    assert "/login" not in page.url, f"{username} could not sign in: {page.locator('main').inner_text()[:300]}"


def check_page(page: Any, name: str) -> None:
    """axe-core on the page: no serious or critical violation; then a screenshot when asked for.

    CSS transitions are let finish first: a button caught halfway through its hover colour change has
    a contrast no user reads it with, and axe would measure that frame. The page is loaded first, its
    stylesheets with it: a test that went on as soon as an element appeared had axe measure the header's light
    sign-out button on the white of a page whose app.css had not arrived yet (a CI run on a busy machine).
    """
    page.wait_for_load_state("load")
    page.evaluate("async () => { await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))); }")
    page.evaluate(AXE.read_text("utf-8"))  # evaluated, not injected: the app's CSP refuses inline scripts
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
    details = "\n".join(f"{v['id']} ({v['impact']}): {v['help']} -> "
                        f"{[(n['target'], n['failureSummary']) for n in v['nodes']][:5]}" for v in bad)
    assert not bad, f"accessibility violations on {name} ({page.url}):\n{details}"
    CHECKED_PAGES.append(name)
    folder = os.environ.get("GJY_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _select(box: Any, _text: str) -> None:
    select = box.locator("select")
    values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    if values and not select.input_value():
        select.select_option(values[0])


def _first_box(box: Any, _text: str) -> None:
    if not box.locator("input:checked").count():
        box.locator("input[type=checkbox]").first.check()


def _file(box: Any, _text: str) -> None:
    if not box.locator("input[type=checkbox]:checked").count():
        name = box.get_attribute("data-field")
        box.locator("input[type=file]").set_input_files(
            files=[{"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])


def _typed(box: Any, text: str) -> None:
    control = box.locator("textarea, input").first
    if not control.input_value():
        control.fill(text)


FILLERS = {
    "select": _select, "checkboxes": _first_box, "checkbox": _first_box, "file": _file,
    "date": lambda box, _t: box.locator("input").fill((date.today() + timedelta(days=30)).isoformat()),
    "integer": lambda box, _t: box.locator("input").fill("1"),
    "number": lambda box, _t: box.locator("input").fill("1"),
    "email": lambda box, _t: _typed(box, "a@example.com"),
    "text": _typed, "textarea": _typed,
}


def fill_form(page: Any, text: str, only_errors: bool = False) -> None:
    """Fill every required field (or every field with an error) by its widget, keeping what is filled."""
    selector = ".form-field:has([data-field-error])" if only_errors else ".form-field[data-required]"
    for box in page.locator(f"[data-testid=task-form] {selector}").all():
        filler = FILLERS.get(box.get_attribute("data-widget") or "")
        if filler:
            filler(box, text)


def submit_task(page: Any, text: str) -> None:
    """Submit the task form; where the server names further fields (per-kind rules), fill them and retry."""
    fill_form(page, text)
    for _attempt in range(3):
        page.locator("[data-action=submit]").click()
        page.wait_for_load_state()
        if "/cases/" in page.url:
            return
        fill_form(page, text, only_errors=True)
    errors = page.locator("[data-field-error]").all_inner_texts()
    raise AssertionError(f"the form was not accepted: {errors}")


# ---- the analyst's workspace ---------------------------------------------------------------------------------------

def open_new_draft(page: Any, procedure: str = "personnel_unlock") -> None:
    """Signed in as the analyst, a new draft of the procedure, once its modeler is ready."""
    sign_in(page, "analyst")
    page.goto(f"/workspace/{procedure}")
    page.get_by_role("button", name="新建草稿").click()
    page.wait_for_selector("#modeler[data-state=ready]")


# ---- the analyst's form editor ------------------------------------------------------------------------------------

def new_form(page: Any, form_key: str, schema: dict[str, Any], shown_field: str) -> None:
    """On a draft's page: 新建表单 named `form_key`, its JSON replaced by `schema` in the code editor, once the
    live preview draws `shown_field`."""
    page.locator("#new-form-key").fill(form_key)
    page.get_by_role("button", name="新建表单").click()
    page.wait_for_selector("#form-editor[data-state=ready]")
    page.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(json.dumps(schema, ensure_ascii=False, indent=2))
    page.wait_for_selector(f"#form-preview [data-field={shown_field}]")


# ---- a task form's fields, and the task list ---------------------------------------------------------------------

def box(page: Any, name: str) -> Any:
    return page.locator(f"[data-field='{name}']").first


def choose(page: Any, name: str, value: str) -> None:
    box(page, name).locator("select").select_option(value)


def tick(page: Any, name: str, *labels: str) -> None:
    """Tick the options with these labels (part of the label is enough), or the first one."""
    field = box(page, name)
    if not labels:
        field.locator("input[type=checkbox]").first.check()
    for label in labels:
        field.locator(".form-check", has_text=label).locator("input").first.check()


def write(page: Any, name: str, text: str) -> None:
    box(page, name).locator("textarea, input").first.fill(text)


def attach(page: Any, name: str, *files: str) -> None:
    box(page, name).locator("input[type=file]").set_input_files(
        files=[{"name": f, "mimeType": "application/pdf", "buffer": PDF_BYTES} for f in files])


def submit(page: Any, button: str = "提交") -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def submitted(page: Any, button: str = "提交") -> str:
    """Submit, land on the case page: the case number."""
    submit(page, button)
    assert re.search(r"/cases/\d+", page.url), f"{page.url}: {page.locator('main').inner_text()[:800]}"
    return str(page.get_by_test_id("case-number").inner_text())


def inbox(page: Any, tab: str = "claimable") -> None:
    page.goto(f"/tasks?tab={tab}")


def claim(page: Any, number: str) -> None:
    """待办任务 → 待领取 → 领取 in the case's row: the task opens."""
    inbox(page)
    page.locator(f"tr[data-case-number='{number}']").get_by_role("button", name="领取").click()
    page.wait_for_load_state()
    assert "/tasks/" in page.url, page.url


def open_mine(page: Any, number: str) -> None:
    """待办任务 → 我的待办 → the case's task."""
    inbox(page, "mine")
    page.locator(f"tr[data-case-number='{number}'] a.btn").first.click()  # 办理
    page.wait_for_load_state()
