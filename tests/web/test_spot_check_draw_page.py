"""The 事中事后抽查 page draws with a seed the server makes: no seed to type, a preview's seed not carried into the
real draw; the draw's own page shows its seed, parameters and the result of recomputing it, and the page's
previews and draws are in the audit log."""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select, update

from app.extensions import db
from app.models import AuditEntry, SpotCheckDraw
from tests.support.web import WebUser


def _actions(app: Flask, username: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.actor_name == username, AuditEntry.action.like("spot_check.%")).order_by(AuditEntry.id)))


def test_the_page_has_no_seed_to_type_and_a_preview_does_not_choose_the_draw(
        app: Flask, web: Callable[[str], WebUser]) -> None:
    city = web("city-nanning")
    assert 'name="seed"' not in city.html("/spot-checks")
    preview = city.post("/spot-checks/preview", {"sample_size": "1", "exclude_months": "0", "seed": "chosen"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "预览结果（尚未保存）" in text
    assert 'name="seed"' not in text and "chosen" not in text
    assert "正式抽取时由系统另行生成随机种子" in text
    drawn = city.post("/spot-checks/draw", {"sample_size": "1", "exclude_months": "0", "seed": "chosen"})
    assert drawn.status_code == 302, drawn.get_data(as_text=True)[:500]
    location = drawn.headers["Location"]
    assert re.fullmatch(r"/spot-checks/\d+", location)
    page = city.html(location)
    assert "已抽取 1 项并发起 1 件抽查办件" in page
    seed = re.search(r'data-testid="spot-check-seed">([^<]+)<', page)
    assert seed and seed.group(1) != "chosen" and len(seed.group(1)) >= 32
    assert 'data-testid="spot-check-verified"' in page and "复核一致" in page
    assert "排除近期已抽查企业（月）" in page and "市住建局" in page  # its parameters and who drew
    assert location in city.html("/spot-checks")  # listed among the region's draws
    assert _actions(app, "city-nanning") == ["spot_check.previewed", "spot_check.drawn"]


def test_a_draw_page_of_another_city_is_not_found(web: Callable[[str], WebUser]) -> None:
    drawn = web("city-nanning").post("/spot-checks/draw", {"sample_size": "1", "exclude_months": "0"})
    location = drawn.headers["Location"]
    assert web("province").get(location).status_code == 200
    assert web("city-liuzhou").get(location).status_code == 404
    assert web("ent-nanning").get(location).status_code == 403


def test_a_draw_kept_without_its_population_does_not_claim_a_system_seed_and_strata_read_in_english(
        app: Flask, web: Callable[[str], WebUser]) -> None:
    city = web("city-nanning")
    location = city.post("/spot-checks/draw", {"sample_size": "1", "exclude_months": "0"}).headers["Location"]
    assert "由系统在抽取时生成" in city.html(location)
    city.client.get("/lang/en")
    english = city.html(location)
    assert "Construction enterprise" in english and "建筑业企业 ·" not in english  # the stratum's kind translated
    city.client.get("/lang/zh")
    with app.app_context():  # a draw made before seeds were the server's kept no population
        db.session.execute(update(SpotCheckDraw).where(SpotCheckDraw.id == int(location.rsplit("/", 1)[1]))
                           .values(population=None))
        db.session.commit()
    earlier = city.html(location)
    assert "由系统在抽取时生成" not in earlier and "早期记录：随机种子可能由抽取人指定" in earlier
