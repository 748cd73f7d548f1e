"""双随机一公开: the reviewer who draws a spot check cannot choose its outcome, and every draw can be traced and
re-verified. The server makes a real draw's seed (a caller's seed is refused: it let a reviewer try seeds in
unlimited previews until an enterprise was in or out of the sample, then draw with that seed); the draw and
every preview are audited (who, parameters, seed, sample); a stored draw shows its seed, parameters and the
population it was drawn from, and is recomputed from them (公开: anyone who may see it can check it)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.db import unit_of_work
from app.extensions import db
from app.models import Organisation, OrganisationKind, PerformanceRecord, RecordSource, SpotCheckDraw, SpotCheckItem
from app.services.records.spot_checks import Candidate, plan_draw
from tests.procedures.test_spot_check import _population

DRAWS = "/api/v1/spot-checks/draws"


def _draws(app: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(SpotCheckDraw)) or 0)


def _audit(as_user: Any, action: str) -> list[dict[str, Any]]:
    page = as_user("auditor").get(f"/api/v1/audit?action={action}&per_page=50")
    assert page.status_code == 200, page.json
    return page.json["items"]  # type: ignore[no-any-return]


def test_a_real_draw_refuses_a_seed_chosen_by_the_caller(app: Any, as_user: Any) -> None:
    province, before = as_user("province"), _draws(app)
    refused = province.post(DRAWS, {"sample_size": 1, "exclude_months": 0, "seed": "a"})
    assert refused.status_code == 422, refused.json
    assert refused.json["code"] == "spot_check_seed_refused"
    assert "随机种子由系统生成" in refused.json["message"]
    assert refused.json["message_en"] and "seed" in refused.json["message_en"]
    assert _draws(app) == before  # nothing drawn, no case started


def test_a_real_draw_is_seeded_by_the_server_and_audited_with_its_seed_parameters_and_sample(
        app: Any, as_user: Any) -> None:
    _population(app)
    province = as_user("province")
    first = province.post(DRAWS, {"sample_size": 3, "exclude_months": 0})
    second = province.post(DRAWS, {"sample_size": 3, "exclude_months": 0})
    assert first.status_code == second.status_code == 201, (first.json, second.json)
    seed = first.json["seed"]
    assert len(seed) >= 32 and seed != second.json["seed"]  # not guessable, not repeated
    [entry] = [e for e in _audit(as_user, "spot_check.drawn") if e["object_id"] == str(first.json["draw_id"])]
    assert entry["actor_name"] == "province" and entry["object_type"] == "spot_check_draw"
    details = entry["details"]
    assert details["seed"] == seed and details["sample_size"] == 3 and details["exclude_months"] == 0
    assert details["region_code"] == "450000"
    assert [i["enterprise_id"] for i in details["items"]] == [i["enterprise_id"] for i in first.json["items"]]
    assert len(details["case_ids"]) == 3 and details["case_ids"] == first.json["case_ids"]


def test_a_preview_is_audited_and_says_nothing_of_the_real_draw(app: Any, as_user: Any) -> None:
    city = as_user("city-nanning")
    for seed in ("a", "b"):
        assert city.post(DRAWS, {"sample_size": 1, "exclude_months": 0, "seed": seed, "dry_run": True}
                         ).status_code == 200
    unseeded = city.post(DRAWS, {"sample_size": 1, "exclude_months": 0, "dry_run": True}).json
    previews = [e for e in _audit(as_user, "spot_check.previewed") if e["actor_name"] == "city-nanning"]
    assert len(previews) == 3
    assert {(e["details"]["seed"], e["details"]["seed_chosen"]) for e in previews} == {
        ("a", True), ("b", True), (unseeded["seed"], False)}
    assert all(e["details"]["sample_size"] == 1 and e["details"]["exclude_months"] == 0
               and e["details"]["region_code"] == "450100" for e in previews)
    drawn = city.post(DRAWS, {"sample_size": 1, "exclude_months": 0}).json
    assert drawn["seed"] not in {"a", "b", unseeded["seed"]}  # no preview's seed is the draw's


def test_a_stored_draw_shows_its_seed_and_parameters_and_re_verifies(app: Any, as_user: Any) -> None:
    _population(app)
    province = as_user("province")
    drawn = province.post(DRAWS, {"sample_size": 4, "exclude_months": 0}).json
    shown = province.get(f"{DRAWS}/{drawn['draw_id']}")
    assert shown.status_code == 200, shown.json
    body = shown.json
    assert (body["seed"], body["sample_size"], body["exclude_months"], body["region_code"]) == (
        drawn["seed"], 4, 0, "450000")
    assert body["drawn_by"] == "自治区住建厅·市场监管处" and body["verified"] is True
    assert [i["enterprise_id"] for i in body["items"]] == [i["enterprise_id"] for i in drawn["items"]]
    assert [i["case_id"] for i in body["items"]] == drawn["case_ids"]
    # anyone holding the draw recomputes it from what it shows: the population, the seed and the size
    population = [Candidate(c["enterprise_id"], c["stratum"], tuple((ref, "") for ref in c["item_refs"]))
                  for c in body["population"]]
    again = plan_draw(population, body["seed"], body["sample_size"])
    assert [(p.enterprise_id, p.item_ref) for p in again.items] == [
        (i["enterprise_id"], i["item_ref"]) for i in body["items"]]
    # the population is the one of the draw's moment: a later enterprise changes nothing
    with app.app_context(), unit_of_work():
        org = Organisation(kind=OrganisationKind.ENTERPRISE, name="后来的公司", region_code="450100",
                           enterprise_type="建筑业企业")
        db.session.add(org)
        db.session.flush()
        db.session.add(PerformanceRecord(enterprise_id=org.id, project_name="后来的业绩",
                                         source=RecordSource.IN_REGION, fields={}))
    assert province.get(f"{DRAWS}/{drawn['draw_id']}").json["verified"] is True
    listed = province.get(DRAWS).json["items"]
    assert listed[0]["id"] == drawn["draw_id"] and listed[0]["seed"] == drawn["seed"]


def test_a_draw_altered_after_the_fact_fails_its_verification(app: Any, as_user: Any) -> None:
    _population(app)
    province = as_user("province")
    drawn = province.post(DRAWS, {"sample_size": 2, "exclude_months": 0}).json
    with app.app_context(), unit_of_work():
        others = select(Organisation.id).where(Organisation.kind == OrganisationKind.ENTERPRISE,
                                               Organisation.id.not_in([i["enterprise_id"] for i in drawn["items"]]))
        item = db.session.scalars(select(SpotCheckItem).where(SpotCheckItem.draw_id == drawn["draw_id"])).first()
        item.enterprise_id = db.session.scalar(others.limit(1))
    assert province.get(f"{DRAWS}/{drawn['draw_id']}").json["verified"] is False


def test_who_may_see_a_draw(app: Any, as_user: Any) -> None:
    drawn = as_user("city-nanning").post(DRAWS, {"sample_size": 1, "exclude_months": 0}).json
    path = f"{DRAWS}/{drawn['draw_id']}"
    assert as_user("province").get(path).status_code == 200  # the province oversees the cities' draws
    assert as_user("city-liuzhou").get(path).status_code == 404  # another city's draw
    assert drawn["draw_id"] not in [d["id"] for d in as_user("city-liuzhou").get(DRAWS).json["items"]]
    assert as_user("ent-nanning").get(path).json["code"] == "spot_check_not_allowed"
    assert as_user("city-nanning").get(f"{DRAWS}/999999").status_code == 404
