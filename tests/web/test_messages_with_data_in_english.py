"""A refusal that names data (a person, a case number) reads in English on the English pages, the names filled
into its English template (errors.Message), and stays the same Chinese text on the Chinese pages. The admin's
数据交换 page: tests/exchange/test_inbound_results_in_english.py."""
from __future__ import annotations

import html

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Person
from tests.support.web import WebUser


def _person_id(app: Flask, name: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(Person.id).where(Person.name == name)))


def _deregister(user: WebUser, person_id: int) -> str:
    refused = user.post("/cases/start/personnel_deregistration",
                        {"mode": "employer", "person_id": str(person_id), "leave_date": "2026-11-20"})
    assert refused.status_code == 422, refused.status_code
    return html.unescape(refused.get_data(as_text=True))


def test_a_locked_persons_refusal_reads_in_english_on_the_english_pages(app: Flask) -> None:
    ent = WebUser(app, "ent-nanning").login()
    lu_wei = _person_id(app, "陆伟")
    chinese = _deregister(ent, lu_wei)
    assert "陆伟为「南宁市民服务中心工程」（项目编号 " in chinese
    assert "处于项目人员锁定状态，不能注销。请先办理项目人员解锁" in chinese
    ent.get("/lang/en")
    english = _deregister(ent, lu_wei)
    assert "陆伟, Project manager (项目经理) of “南宁市民服务中心工程” (project code " in english
    assert "is locked to a project and cannot be deregistered. Please first apply for personnel unlock" in english
    assert "不能注销" not in english and "处于项目人员锁定状态" not in english
