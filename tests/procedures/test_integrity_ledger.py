"""诚信综合评价 ledger: the score at any date is the sum of the ledger up to it; entries are only added (a
correction is a counter-entry); each shows its reason, source case, date and who; visible to the enterprise
and the authorities of its region only; every entry is queued for the trading platform."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from app.db import unit_of_work
from app.errors import InvalidForm
from app.extensions import db
from app.models import IntegrityEntry, Organisation, OutboxMessage
from app.services.records import integrity
from tests.support.web import WebUser


def _org_id(app: Any, name: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(Organisation.id).where(Organisation.name == name)))


NANNING = "广西邕城建设集团有限公司"


def test_score_at_any_date_is_the_sum_of_the_ledger(app: Any, as_user: Any) -> None:
    ent_id = _org_id(app, NANNING)
    with app.app_context(), unit_of_work():
        integrity.add_entry(ent_id, "-3.50", "抽查发现虚假业绩", "spot_check", effective_on=date(2026, 3, 1))
        integrity.add_entry(ent_id, "1.25", "诚信综合评价加分", "evaluation", effective_on=date(2026, 6, 1))
    with app.app_context():
        entries = list(db.session.scalars(select(IntegrityEntry).where(IntegrityEntry.enterprise_id == ent_id)))
        for day in (date(2021, 4, 1), date(2021, 4, 2), date(2025, 1, 15), date(2026, 3, 1), date(2026, 5, 31),
                    date(2026, 6, 1), date(2030, 1, 1)):
            expected = sum((e.points for e in entries if e.effective_on <= day), Decimal("0.00"))
            assert integrity.score_at(ent_id, day) == expected, day
        assert integrity.score_at(ent_id, date(2026, 6, 1)) == Decimal("84.75")  # 85 + 2 - 3.5 + 1.25
    ent = as_user("ent-nanning")
    answer = ent.get(f"/api/v1/records/enterprises/{ent_id}/integrity?on=2026-03-01")
    assert answer.status_code == 200, answer.json
    assert answer.json["score"] == "83.50"
    lines = answer.json["entries"]
    assert [line["points"] for line in lines] == ["85.00", "2.00", "-3.50"]
    assert [line["balance"] for line in lines] == ["85.00", "87.00", "83.50"]
    assert lines[-1]["reason"] == "抽查发现虚假业绩" and lines[-1]["recorded_by"] == "系统"
    assert answer.json["behaviours"][0]["kind_title"] == "良好行为"


def test_a_correction_is_a_counter_entry_and_the_original_stays(app: Any) -> None:
    ent_id = _org_id(app, NANNING)
    with app.app_context(), unit_of_work():
        wrong = integrity.add_entry(ent_id, "-5", "误扣", "evaluation", effective_on=date(2026, 2, 2))
        integrity.correct_entry(wrong.id, "扣分依据不成立")
    with app.app_context():
        rows = list(db.session.scalars(select(IntegrityEntry).where(IntegrityEntry.enterprise_id == ent_id)
                                       .order_by(IntegrityEntry.id)))
        assert [r.points for r in rows[-2:]] == [Decimal("-5.00"), Decimal("5.00")]
        assert rows[-1].corrects_entry_id == rows[-2].id and rows[-1].source == "correction"
        assert integrity.score_at(ent_id) == Decimal("87.00")
        queued = db.session.scalars(select(OutboxMessage.payload).where(
            OutboxMessage.kind == integrity.TRADING_SCORE_KIND)).all()
        assert [p["score"] for p in queued[-2:]] == ["82.00", "87.00"]


def test_points_must_be_a_small_nonzero_number(app: Any) -> None:
    ent_id = _org_id(app, NANNING)
    with app.app_context():
        for bad in ("0", "abc", "1.234", "101", "NaN"):
            with pytest.raises(InvalidForm):
                integrity.add_entry(ent_id, bad, "x", "evaluation")


def test_only_the_enterprise_and_its_authorities_see_the_ledger(app: Any, as_user: Any) -> None:
    ent_id = _org_id(app, NANNING)
    path = f"/api/v1/records/enterprises/{ent_id}/integrity"
    assert as_user("ent-liuzhou").get(path).status_code == 404
    assert as_user("city-liuzhou").get(path).status_code == 404
    assert as_user("city-nanning").get(path).json["score"] == "87.00"
    assert as_user("province").get(path).json["score"] == "87.00"


def test_integrity_page_shows_score_and_ledger(app: Any) -> None:
    page = WebUser(app, "ent-nanning").login().get("/integrity")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "87.00" in text and "诚信平台迁入的诚信综合评分" in text and "良好行为" in text
    listing = WebUser(app, "city-nanning").login().get("/integrity").get_data(as_text=True)
    assert NANNING in listing and "柳州龙城建筑工程有限公司" not in listing
