"""The 事中事后抽查 page's refusals and its preview: the menu link only for city and province reviewers, a bad
form answered field by field, a preview that saves nothing, the form's CSRF token required."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from app.extensions import db
from app.models import SpotCheckDraw
from tests.support.web import WebUser


def _draws(app: object) -> int:
    with app.app_context():  # type: ignore[attr-defined]
        return int(db.session.scalar(select(func.count()).select_from(SpotCheckDraw)) or 0)


def test_only_city_and_province_reviewers_see_and_open_the_page(web: Callable[[str], WebUser]) -> None:
    assert "/spot-checks" in web("city-nanning").html("/cases")
    assert "/spot-checks" in web("province").html("/cases")
    enterprise = web("ent-nanning")
    assert "/spot-checks" not in enterprise.html("/cases")
    assert enterprise.get("/spot-checks").status_code == 403
    assert enterprise.post("/spot-checks/draw", {"sample_size": "1"}).status_code == 403


def test_a_bad_form_is_answered_field_by_field_and_a_preview_saves_nothing(app: object,
                                                                          web: Callable[[str], WebUser]) -> None:
    city, before = web("city-nanning"), _draws(app)
    bad = city.post("/spot-checks/preview", {"sample_size": "0", "exclude_months": "99"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    for message in ("抽查数量应在 1 至 50 之间", "排除近期已抽查企业的月数应在 0 至 36 之间"):
        assert message in text
    preview = city.post("/spot-checks/preview", {"sample_size": "1", "exclude_months": "0"})
    assert preview.status_code == 200 and "预览结果（尚未保存）" in preview.get_data(as_text=True)
    assert 'value="1"' in preview.get_data(as_text=True) and _draws(app) == before  # the form kept, nothing saved
    assert city.post("/spot-checks/draw", {"sample_size": "1"}, csrf=False).status_code == 400
    assert _draws(app) == before
