"""Every page, in Chinese and English, at 1366 and 390 px: axe-core finds no violation, nothing is wider than the
viewport (tables scroll inside `.table-responsive`), and the English pages show no Chinese but user data.

The pages are every demo role's menu, the links of those pages to a detail (a case, a task with its form, a
record, an account, a procedure, a version), and the pages behind a world built first through the pages: a
running and a finished case (its documents), a task claimed by the city, a draft with a form and a decision
table, a sandbox run, a second version (the diff, the migration page), the import page; the admin's received
messages (接收的报文, with two rejected messages received from other systems); the sign-in, registration and
verification pages; a 404 and a 403. Each page is loaded once per language and its checks run
at both widths on the loaded page. With GJY_SCREENSHOT_DIR set (`make screenshots`) each is saved there too.

User data, which the English pages show as it was entered, is: the text inside an element marked
`data-user-text` or `lang="zh…"`, the names and texts of the records of regions, organisations, users, persons,
projects and what is recorded on them (app/models/identity, app/models/records), and what this test typed.
The catalogue's domain terms, "English (中文)", keep their Chinese in brackets. The shipped forms and diagrams
carry their own English (title_en, nameEn), so their texts count like any other. Any other Chinese left on an
English page fails the test: an app string belongs in the catalogue, a text someone typed (a holiday an admin
named, the diagram or form an analyst is editing, an audit entry as recorded) is marked in its template.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import String, select

from app.db import Base, unit_of_work
from app.extensions import db
from app.models import User
from app.services.demo import DEMO_USERNAMES
from app.services.exchange.inbound import receive
from tests.browser.conftest import AXE
from tests.browser.helpers import sign_in
from tests.browser.test_phone_pages import menu_links, too_wide
from tests.support.web import PDF_BYTES, WebUser
from tests.web.test_pages import review_path, start

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]

WIDTHS = ((1366, 900), (390, 844))
UNLOCK = "/workspace/personnel_unlock"
INBOUND = "/admin/exchange/inbound"  # 接收的报文: linked from 数据交换 by a plain link, not a detail
TYPED = ["项目经理因工作调整需要履职变更", "市级复核同意", "页面检查用草稿", "申请表.pdf"]
# one of each kind of detail page linked from a page of the menu (per role)
DETAILS = [re.compile(p) for p in (
    r"^/cases/\d+$", r"^/tasks/[0-9a-f-]{36}$", r"^/cases/start/\w+$", r"^/integrity/[^/]+$",
    r"^/admin/accounts/(\d+|new)$", r"^/workspace/\w+$", r"^/workspace/\w+/versions/\d+$",
    r"^/workspace/\w+/drafts/\d+$", r"^/spot-checks/[^/]+$", r"^/records/performance/\d+$")]
PER_ROLE = ("/", "/cases", "/tasks", "/integrity", "/records", "/records/performance")  # content depends on the role
RECORDS = ["/records/locks", "/records/projects", "/records/performance"]  # the 信息查询 page's other tabs
DATA_TABLES = ("app.models.identity", "app.models.records")
NAMES = ["桂建云", "桂建管〔2021〕4号", "桂"]  # the product's name (and its mark), the rule the procedures follow
ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = AXE.read_text("utf-8") if AXE.exists() else ""
_HAN = re.compile(r"[\u4e00-\u9fff]")
_BRACKETS = re.compile(r"[(（][^()（）]*[)）]")

# Visible texts (and the labels a screen reader reads) holding Chinese, outside what is marked as user data.
CHINESE_TEXTS = """() => {
  const han = /[\\u4e00-\\u9fff]/, out = new Set();
  const data = el => el.closest('script, style, template, noscript, [data-user-text], [lang^="zh"]');
  const shown = el => el.closest('select') ? el.closest('select').checkVisibility() : el.checkVisibility();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (el && han.test(walker.currentNode.data) && !data(el) && shown(el)) out.add(el.textContent.trim());
  }
  for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt]'))
    for (const name of ['aria-label', 'title', 'placeholder', 'alt'])
      if (han.test(el.getAttribute(name) || '') && !data(el)) out.add(el.getAttribute(name));
  if (han.test(document.title)) out.add(document.title);
  return [...out];
}"""


def user_data(app: Flask) -> list[str]:
    """The Chinese strings of the data records (longest first), and what this test typed."""
    values = set(TYPED)
    tables = {m.local_table for m in Base.registry.mappers if m.class_.__module__.startswith(DATA_TABLES)}
    with app.app_context():
        for table in tables:
            columns = [c for c in table.columns if isinstance(c.type, String)]
            for row in db.session.execute(select(*columns)) if columns else ():
                values.update(v for v in row if isinstance(v, str) and _HAN.search(v))
    return sorted(values, key=len, reverse=True)


def chinese_outside_data(texts: Iterable[str], data: list[str]) -> list[str]:
    left = []
    for text in texts:
        rest = text
        for value in data:  # before the brackets go: a record's text may hold brackets of its own
            rest = rest.replace(value, "")
        if _HAN.search(_BRACKETS.sub("", rest)):
            left.append(text[:120])
    return left


def build_world(app: Flask) -> dict[str, list[str]]:
    """Cases, tasks, a draft with a form, a table and a sandbox run, a second version: the paths, per user."""
    ent, city = WebUser(app, "ent-nanning").login(), WebUser(app, "city-nanning").login()
    running, open_review = submitted(ent, city, 0)
    finished, done_review = submitted(ent, city, 1)
    assert city.post(done_review, {"decision": "approve", "comment": "市级复核同意"}).status_code == 302
    _, request_form = start(ent)  # not yet submitted: the enterprise's form
    analyst = WebUser(app, "analyst").login()
    draft = analyst.post(f"{UNLOCK}/drafts", {"version": "1", "title": "页面检查用草稿"}).headers["Location"]
    with app.app_context():
        org = db.session.scalar(select(User.organisation_id).where(User.username == "ent-nanning"))
    run = analyst.post(f"{draft}/sandbox", {"applicant_id": str(org)}).headers["Location"]
    assert analyst.post(f"{draft}/decisions", {"decision_id": "unlock_level"}).status_code == 302
    second_version(analyst)
    received(app)
    cases = [f"/cases/{running}", f"/cases/{finished}"]
    return {"ent-nanning": [*cases, request_form, *RECORDS], "city-nanning": [*cases, open_review, done_review,
                                                                             "/records/performance"],
            "analyst": [draft, f"{draft}/forms/unlock_request", f"{draft}/decisions/unlock_level",
                        f"{draft}/sandbox", run, f"{UNLOCK}/diff", f"{UNLOCK}/migration", "/workspace/import",
                        f"{UNLOCK}/versions/1"],
            "admin": [INBOUND]}


def received(app: Flask) -> None:
    """Messages received from other systems, for the rows of 接收的报文: one whose payload is malformed, one of a
    kind its sender does not send (both rejected, with their reasons)."""
    envelope = {"schema_version": 1, "occurred_at": "2026-12-05T08:00:00+08:00"}
    with app.app_context(), unit_of_work():
        malformed = receive("quality_safety", {**envelope, "message_id": "page-check-1",
                                               "kind": "construction_permit", "payload": {"permit_number": 7}})
        not_sent = receive("trading_platform", {**envelope, "message_id": "page-check-2",
                                                "kind": "certificate_change", "payload": {}})
        assert [malformed.message.result_code, not_sent.message.result_code] == ["payload_invalid",
                                                                                 "kind_not_accepted"]


def submitted(ent: WebUser, city: WebUser, lock: int) -> tuple[int, str]:
    """An unlock case the enterprise submitted (for its nth lock) and the city claimed: (its id, the review)."""
    case_id, task = start(ent)
    data = {"kind": "duty_change", "reason": TYPED[0],
            "lock_ids": re.findall(r'name="lock_ids" value="(\d+)"', ent.html(task))[lock]}
    sent = ent.upload_form(task, data, {"application_files__upload": (PDF_BYTES, TYPED[3])})
    assert sent.status_code == 302, sent.get_data(as_text=True)[:500]
    review = review_path(city, _number(ent, case_id))
    assert city.post(review + "/claim").status_code == 302
    return case_id, review


def _number(user: WebUser, case_id: int) -> str:
    return re.search(r'data-testid="case-number">([^<]+)<', user.html(f"/cases/{case_id}")).group(1)  # type: ignore


def second_version(analyst: WebUser) -> None:
    """Version 2 of the unlock procedure: its request form with a help text more (for the diff)."""
    draft = analyst.post(f"{UNLOCK}/drafts", {"version": "1", "title": "页面检查用草稿"}).headers["Location"]
    form = json.loads(Path("forms/unlock_request.json").read_text("utf-8"))
    form["description"] = "请如实填写"
    saved = analyst.client.post(f"{draft}/files", json={"files": {"forms/unlock_request.json": json.dumps(
        form, ensure_ascii=False)}}, headers={"X-CSRFToken": analyst.token})
    assert saved.status_code == 200, saved.get_data(as_text=True)[:500]
    deployed = analyst.post(f"{draft}/deploy", {"note": "页面检查用草稿"})
    assert deployed.status_code == 302, deployed.get_data(as_text=True)[:500]


def axe_on(page: Any) -> list[str]:
    """axe-core's violations (any impact), its script evaluated once per loaded page."""
    page.evaluate("async () => { await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))); }")
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    # dmn-js's own decision table (vendor markup: an empty header over its row numbers) is left out
    result = page.evaluate("async () => await axe.run({exclude: [['.dmn-decision-table-container']]},"
                           " {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:4]}" for v in result["violations"]]


class Walk:
    """One browser page per signed-in user; each path checked in both languages at both widths."""

    def __init__(self, data: list[str]) -> None:
        self.data, self.problems, self.seen = data, {}, set()  # type: ignore[var-annotated]
        self.checked = 0
        self.refused: dict[str, int] = {}  # menu links answered with an error
        self.chinese: dict[str, str] = {}  # Chinese left on an English page: its first path
        self.folder = os.environ.get("GJY_SCREENSHOT_DIR")

    def check(self, page: Any, who: str, path: str, status: int | None = 200) -> None:
        for language in ("zh", "en"):
            response = page.goto(f"/lang/{language}?next={quote(path)}")
            if status is None and response.status >= 400:  # a menu link that leads nowhere: reported
                self.refused.setdefault(f"{who} {path}", response.status)
                return
            assert status in (None, response.status), f"{who} {path}: {response.status}"
            self.check_loaded(page, who, path, language)

    def check_loaded(self, page: Any, who: str, path: str, language: str) -> None:
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            found = too_wide(page) + axe_on(page)
            if language == "en" and width == WIDTHS[0][0]:
                for text in chinese_outside_data(page.evaluate(CHINESE_TEXTS), self.data):
                    self.chinese.setdefault(text, path)
            if found:
                self.problems[f"{who} {path} {language} {width}"] = found
                if os.environ.get("GJY_PAGE_PROBLEMS"):  # a running log of what was found, for a long walk
                    with open(os.environ["GJY_PAGE_PROBLEMS"], "a", encoding="utf-8") as log:
                        log.write(json.dumps({f"{who} {path} {language} {width}": found}, ensure_ascii=False) + "\n")
            self.checked += 1
            if self.folder:
                name = re.sub(r"[^\w-]+", "_", f"{who}{path}").strip("_")
                Path(self.folder).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(self.folder) / f"page-{name}-{language}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})

    def details(self, page: Any) -> list[str]:
        """The first link of each kind of detail page on the page, not yet visited."""
        hrefs = page.locator("main a[href^='/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        found = []
        for pattern in DETAILS:
            href = next((h for h in hrefs if pattern.match(h.split("?")[0]) and h not in self.seen), None)
            if href:
                found.append(href)
                self.seen.add(href)
        return found


def test_every_page_in_both_languages_at_both_widths(new_page: Callable[..., Any], live_server: str,
                                                    app: Flask) -> None:
    paths = build_world(app)
    walk = Walk([*user_data(app), *NAMES])
    anonymous = new_page(*WIDTHS[0])
    for path, status in (("/login", 200), ("/register/enterprise", 200), ("/register/individual", 200),
                         ("/verify", 200), ("/no-such-page", 404)):
        walk.check(anonymous, "anonymous", path, status)
    for username in DEMO_USERNAMES:
        page = new_page(*WIDTHS[0])
        sign_in(page, username)
        menu = [href.removeprefix(live_server) for href in menu_links(page)]
        for path in dict.fromkeys([*menu, *paths.get(username, [])]):
            if path in walk.seen and path not in PER_ROLE:  # the same page for every role: checked once
                continue
            walk.seen.add(path)
            walk.check(page, username, path, None if path in menu else 200)
            for detail in walk.details(page):
                walk.check(page, username, detail)
        if username == "city-nanning":
            walk.check(page, username, UNLOCK, 403)
    assert not walk.refused, f"menu links answered with an error: {walk.refused}"
    assert INBOUND in walk.seen
    assert not walk.chinese, f"{len(walk.chinese)} Chinese texts left on English pages outside user data:\n" + \
        "\n".join(f"{p}: {t}" for t, p in walk.chinese.items())
    assert walk.checked >= 280  # about 75 pages, each in 2 languages at 2 widths
    assert not walk.problems, f"{len(walk.problems)} of {walk.checked} checks found problems:\n" + "\n".join(
        f"{where}: {found}" for where, found in walk.problems.items())
