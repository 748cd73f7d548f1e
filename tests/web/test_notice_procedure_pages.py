"""The later procedures of the notice have pages: each start page and a first task page render for its users."""
from __future__ import annotations

from typing import Any

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
