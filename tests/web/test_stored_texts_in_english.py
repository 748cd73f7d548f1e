"""Texts a case stores in Chinese when it moves (its title, a ledger entry's reason, a lock's state, a decision's
outcome, a redeploy's note) read in English on the English pages, the names and numbers they hold kept as they are;
the Chinese pages, the API and the stored data keep the Chinese text, byte for byte (app/web/stored_texts.py)."""
from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import IntegrityEntry, Organisation, PerformanceRecord, Person, ProjectLock
from app.web.i18n import LANGUAGE_COOKIE, gettext
from tests.procedures.steps import act_ok, upload
from tests.support.web import WebUser

NANNING = "广西邕城建设集团有限公司"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _page(user: WebUser, path: str) -> str:
    return html.unescape(user.html(path))


def _english(app: Flask, username: str) -> WebUser:
    user = WebUser(app, username).login()
    user.get("/lang/en")
    return user


def _lock_of(app: Flask, name: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(ProjectLock.id).join(Person, Person.id == ProjectLock.person_id)
                                     .where(Person.name == name, ProjectLock.active.is_(True))))


def test_an_unlock_cases_title_reads_in_english_on_the_english_pages(app: Flask, as_user: Any) -> None:
    ent = as_user("ent-nanning")
    case_id = int(ent.start("personnel_unlock").json["id"])
    act_ok(ent, case_id, {"kind": "duty_change", "lock_ids": [_lock_of(app, "覃丽")],
                          "reason": "项目负责人变更，需解除锁定", "application_files": [upload(ent, case_id)]})
    chinese = "项目人员解锁：覃丽（南宁市民服务中心工程）"
    assert ent.case(case_id)["title"] == chinese  # the API and the stored title: as they were
    assert chinese in _page(WebUser(app, "ent-nanning").login(), f"/cases/{case_id}")
    english = "Personnel unlock (项目人员解锁): 覃丽 (南宁市民服务中心工程)"
    reader = _english(app, "ent-nanning")
    for path in (f"/cases/{case_id}", "/cases", "/"):
        page = _page(reader, path)
        assert english in page and chinese not in page, path
    assert english in _page(_english(app, "city-nanning"), "/tasks?view=claimable")


def test_a_migrated_data_confirmations_title_reads_in_english(app: Flask, as_user: Any) -> None:
    ent = as_user("ent-nanning")
    with app.app_context():
        ids = list(db.session.scalars(select(PerformanceRecord.id).where(PerformanceRecord.project_name.in_(
            ("南宁江南污水处理厂扩建工程", "南宁体育中心配套道路工程")))))
    case_id = int(ent.start("migrated_data_confirmation", {"record_ids": ids}).json["id"])
    assert ent.case(case_id)["title"] == "迁移数据确认：2 项迁入业绩"
    page = _page(_english(app, "ent-nanning"), f"/cases/{case_id}")
    assert "Migrated data confirmation (迁移数据确认): 2 migrated performance record(s)" in page
    assert "项迁入业绩" not in page


def test_a_spot_checks_ledger_reason_and_title_read_in_english(app: Flask, as_user: Any) -> None:
    city, ent = as_user("city-nanning"), as_user("ent-nanning")
    drawn = city.post("/api/v1/spot-checks/draws", {"sample_size": 1, "exclude_months": 0})
    assert drawn.status_code == 201, drawn.json
    [case_id] = drawn.json["case_ids"]
    act_ok(city, case_id, {"finding": "false_data", "findings": "合同金额与发票不符",
                           "evidence_files": [upload(city, case_id, "核查记录.pdf")]})
    act_ok(ent, case_id, {"statement": "合同金额录入时多写一位，系笔误"})
    act_ok(city, case_id, {"decision": "confirm", "serious": False, "deduction": 5,
                           "notice_text": "经核查，该企业录入的业绩合同金额虚报，予以通报批评。"})
    case = ent.case(case_id)
    with app.app_context():
        enterprise_id = db.session.scalar(select(Organisation.id).where(Organisation.name == NANNING))
        reason = db.session.scalar(select(IntegrityEntry.reason).where(IntegrityEntry.source_case_id == case_id))
    project = re.fullmatch(rf"事中事后抽查：{NANNING}（区内业绩：(.+)）", case["title"]).group(1)  # type: ignore[union-attr]
    assert reason == f"事中事后抽查发现录入虚假信息（区内业绩：{project}），{case['number']}"  # stored as it was
    assert ent.get(f"/api/v1/records/enterprises/{enterprise_id}/integrity").json["entries"][-1]["reason"] == reason
    chinese_page = _page(WebUser(app, "ent-nanning").login(), f"/integrity?enterprise_id={enterprise_id}")
    assert reason in chinese_page and "录入虚假信息（事中事后抽查）" in chinese_page
    page = _page(_english(app, "ent-nanning"), f"/integrity?enterprise_id={enterprise_id}")
    assert f"False information found by a spot check (In-region record: {project}), {case['number']}" in page
    assert "False information entered (spot check)" in page  # the 不良行为 record's title
    assert reason not in page and "录入虚假信息" not in page
    assert "良好行为：获评自治区建设工程“真武阁杯”优质工程" in page  # a reason no template built: whole, as stored
    title = _page(_english(app, "ent-nanning"), f"/cases/{case_id}")
    assert f"Spot check: {NANNING} (In-region record: {project})" in title


def test_every_stored_text_reads_in_english_with_its_values_kept(app: Flask) -> None:
    """Also the texts no page lists yet (a lock's state, the B/C→A outcome, a redeploy's note: the API's
    `data.unlock_state_title`, `data.outcome.message`, the procedure's change log): their English is there for pages.
    The Chinese terms an English text keeps in parentheses ("Personnel unlock (项目人员解锁)") are not counted."""
    from app.services.stored_texts import templates
    with app.app_context():
        every = templates()
    assert "项目人员解锁：{names}（{project}）" in every  # registered by handlers/
    assert "重新部署与版本 {version} 相同的内容" in every  # a service's
    for template in every:
        names = re.findall(r"\{(\w+)\}", template)
        stored = template.format(**{name: f"值{index}" for index, name in enumerate(names)})
        with app.test_request_context(headers={"Cookie": f"{LANGUAGE_COOKIE}=en"}):
            english = gettext(stored)
        with app.test_request_context():
            assert gettext(stored) == stored
        kept = re.sub(r"值\d|\([^)]*[\u4e00-\u9fff][^)]*\)", "", english)  # the values, the terms' Chinese names
        assert not CHINESE.search(kept), (template, english)
        assert all(f"值{index}" in english for index in range(len(names))), (template, english)
