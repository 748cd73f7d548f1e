"""Fields internal to the authorities on the pages: the enterprise's case page (申请内容, the timeline's submissions)
never shows the province's delegation brief or its return to the city; the authorities' pages do, and the city's
returned task shows what the province asked."""
from __future__ import annotations

from typing import Any

from flask import Flask

from tests.api.test_internal_fields import BRIEF, POSTED, RETURNED, delegated, returned_to_city
from tests.support.web import WebUser


def test_the_case_page_hides_the_delegation_brief_from_the_enterprise_only(app: Flask, as_user: Any) -> None:
    case = delegated(as_user)
    page = WebUser(app, "ent-nanning").login().html(f"/cases/{case['id']}")
    assert BRIEF not in page and "委托抽查要求" not in page
    assert "委托项目所在地设区市住建局抽查" in page  # the submission itself is still listed, without the brief
    for authority in ("province", "city-nanning"):
        theirs = WebUser(app, authority).login().html(f"/cases/{case['id']}")
        assert BRIEF in theirs and "委托抽查要求" in theirs


def test_the_case_page_hides_the_return_to_the_city_from_the_enterprise(app: Flask, as_user: Any) -> None:
    case = returned_to_city(as_user)
    page = WebUser(app, "ent-nanning").login().html(f"/cases/{case['id']}")
    assert RETURNED not in page and POSTED not in page and "退回市级重新核查" in page
    city = WebUser(app, "city-nanning").login()
    assert RETURNED in city.html(f"/cases/{case['id']}")
    task = as_user("city-nanning").task_for(case["id"])
    assert task is not None and as_user("city-nanning").claim(task["id"]).status_code == 200
    returned = city.html(f"/tasks/{task['id']}")
    assert 'data-testid="returned-note"' in returned and RETURNED in returned
