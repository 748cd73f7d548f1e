"""诚信综合评价 pages: the province reaches every enterprise of its region (the list showed the first 200, with no
total, paging or search: an imported enterprise beyond them could not be found), and a ledger entry names its
case by number, linked only for a reader who may open it (it showed "办件 7", the database id, linked to a 404)."""
from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.db import unit_of_work
from app.extensions import db
from app.models import Organisation, OrganisationKind
from app.services.records.integrity import add_entry
from tests.procedures.steps import act_ok, upload
from tests.support.web import WebUser

ROW = re.compile(r'<tr><td><a href="/integrity\?enterprise_id=(\d+)')


def _more_enterprises(app: Flask, n: int) -> None:
    with app.app_context(), unit_of_work():
        for i in range(n):
            db.session.add(Organisation(kind=OrganisationKind.ENTERPRISE, name=f"北海测试建设有限公司{i:03d}",
                                        region_code="450500", credit_code=f"91450500TEST{i:06d}"))


def test_the_province_pages_through_every_enterprise_and_finds_one_by_name(app: Flask) -> None:
    _more_enterprises(app, 210)
    with app.app_context():
        enterprises = db.session.scalar(select(func.count()).select_from(Organisation)
                                        .where(Organisation.kind == OrganisationKind.ENTERPRISE)) or 0
    province = WebUser(app, "province").login()
    first = province.html("/integrity")
    assert f"共 {enterprises} 条" in first
    seen: set[str] = set()
    for page in range(1, enterprises // 50 + 2):
        seen |= set(ROW.findall(province.html(f"/integrity?page={page}")))
    assert len(seen) == enterprises
    found = province.html("/integrity?q=北海测试建设有限公司209")
    assert "共 1 条" in found and "北海测试建设有限公司209" in found and "北海测试建设有限公司208" not in found
    assert "共 1 条" in province.html("/integrity?q=91450500TEST000007")


def test_a_ledger_entry_names_its_case_by_number_and_links_it_only_for_who_may_open_it(
        app: Flask, as_user: Any) -> None:
    ent, person = as_user("ent-nanning"), as_user("person")
    own = ent.start("personnel_unlock").json
    # 梁海 files against his employer: a case the employer may not open
    theirs = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"}).json
    act_ok(person, theirs["id"], {"statement": "原单位拒绝出具离职证明",
                                  "application_files": [upload(person, theirs["id"], "注销申请书.pdf")],
                                  "separation_files": [upload(person, theirs["id"], "劳动仲裁裁决书.pdf")],
                                  "id_card_files": [upload(person, theirs["id"], "身份证.pdf")],
                                  "paper_delivery": "counter"})
    with app.app_context(), unit_of_work():
        enterprise_id = db.session.scalar(select(Organisation.id)
                                          .where(Organisation.name == "广西邕城建设集团有限公司"))
        add_entry(enterprise_id, "2", "测试加分", "evaluation", case_id=own["id"])
        add_entry(enterprise_id, "-1", "测试减分", "evaluation", case_id=theirs["id"])
    page = WebUser(app, "ent-nanning").login().html("/integrity")
    assert f'<a href="/cases/{own["id"]}">{own["number"]}</a>' in page
    assert theirs["number"] not in page and f'/cases/{theirs["id"]}"' not in page
    assert "办件（无权查看）" in page
    assert f"办件 {own['id']}" not in page
