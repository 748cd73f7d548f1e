"""The later procedures of the notice have pages: each start page and a first task page render for its users."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import PerformanceRecord
from handlers.commitment import TEXT_VERSION
from tests.procedures.steps import act_ok, upload
from tests.support.web import WebUser

STARTS = (("ent-nanning", "commitment_entry", "入库信息填报"),
          ("ent-nanning", "migrated_data_confirmation", "迁移数据确认"),
          ("ent-nanning", "historical_performance", "历史业绩补录"),
          ("owner-nanning", "project_registration", "在建项目"),
          ("city-nanning", "spot_check", "事中事后抽查"))


def test_start_pages_render(app: Any) -> None:
    for user, key, title in STARTS:
        page = WebUser(app, user).login().get(f"/cases/start/{key}")
        assert page.status_code == 200, key
        assert title in page.get_data(as_text=True), key


def test_first_task_pages_render(app: Any, as_user: Any) -> None:
    owner, ent = as_user("owner-nanning"), as_user("ent-nanning")
    for user, api, procedure, data in (
            ("owner-nanning", owner, "project_registration", {"permit_number": "450103202512100301"}),
            ("ent-nanning", ent, "commitment_entry", {"sections": ["personnel", "basic"]})):
        case = api.start(procedure, data).json
        task = api.task_for(case["id"], view="mine")
        page = WebUser(app, user).login().get(f"/tasks/{task['id']}")
        assert page.status_code == 200 and task["title"] in page.get_data(as_text=True)


def _options(html: str, field: str) -> dict[str, str]:
    """The non-empty options (value -> label) of the select named `field` on a page."""
    select = re.search(rf'<select[^>]*name="{re.escape(field)}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {field}"
    return {value: label for value, label in re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>',
                                                        select.group(1))}


def test_records_and_review_items_are_chosen_by_name_not_typed_by_number(app: Any, as_user: Any) -> None:
    """The pages never show a record's or an item's number, so the forms offer them by name."""
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with app.app_context():
        records = dict(db.session.execute(select(PerformanceRecord.project_name, PerformanceRecord.id).where(
            PerformanceRecord.project_name.in_(["南宁江南污水处理厂扩建工程", "南宁体育中心配套道路工程"]))).all())
    case = ent.start("migrated_data_confirmation", {"record_ids": list(records.values())}).json
    task = ent.task_for(case["id"], view="mine")
    html = WebUser(app, "ent-nanning").login().get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert _options(html, "records.0.record_id") == {str(i): name for name, i in records.items()}
    assert "业绩编号" not in html

    case_id = ent.start("commitment_entry", {"sections": ["good_behaviour"]}).json["id"]
    upload_id = upload(ent, case_id, "证明.pdf")
    act_ok(ent, case_id, {"good_behaviours": [{"title": "2025年度广西建筑业优秀企业", "awarded_on": "2025-12-20",
                                               "issuer": "广西建筑业联合会"}], "review_files": [upload_id]})
    act_ok(ent, case_id, {"text_version": TEXT_VERSION, "agree": True})
    review = city.task_for(case_id)
    assert city.claim(review["id"]).status_code == 200
    html = WebUser(app, "city-nanning").login().get(f"/tasks/{review['id']}").get_data(as_text=True)
    entry_id = ent.case(case_id)["data"]["applied"]["review_items"][0]["entry_id"]
    assert _options(html, "reviews.0.entry_id") == {str(entry_id): "2025年度广西建筑业优秀企业"}
    assert "待审核事项编号" not in html
