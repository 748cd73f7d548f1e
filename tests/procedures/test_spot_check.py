"""spot_check (事中事后抽查) through the REST API: the draw and every path of bpmn/spot_check.bpmn.

The draw: reproducible from its seed (which the server makes for a real draw), stratified by enterprise type and
city, excluding enterprises checked in the last N months. Paths: data found true (closed); false data → 陈述申辩
→ confirmed (通报批评, a ledger deduction with its source case, a 不良行为 record, a serious case queued for the
national platform); false data → the statement deadline (5 working days) passes → dismissed; a province draw goes
to the province's tasks.
Guards: only city and province reviewers draw, the checked enterprise cannot withdraw, an item is inspected once.
"""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from freezegun import freeze_time
from sqlalchemy import select

from app.db import unit_of_work, utcnow
from app.extensions import db
from app.jobs.timers import fire_due_timers
from app.models import (
    BehaviourRecord,
    IntegrityEntry,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    PerformanceRecord,
    PublicNotice,
    RecordSource,
    SpotCheckDraw,
    SpotCheckItem,
)
from app.services.records import integrity
from app.services.records.spot_checks import entry_title
from tests.documents.test_case_documents import documents_of, download
from tests.procedures.steps import act, act_ok, field_errors, upload
from tests.support.web import WebUser

NANNING = "广西邕城建设集团有限公司"
EXTRA = [("南宁建工一公司", "建筑业企业", "450100"), ("南宁建工二公司", "建筑业企业", "450103"),
         ("南宁建工三公司", "建筑业企业", "450100"), ("南宁监理一公司", "监理企业", "450100"),
         ("南宁监理二公司", "监理企业", "450107"), ("柳州建工公司", "建筑业企业", "450200"),
         ("桂林监理公司", "监理企业", "450300")]


def _population(app: Any) -> None:
    """Nine in-region enterprises with self-entered performance, in four strata (type · city)."""
    with app.app_context(), unit_of_work():
        for name, kind, region in EXTRA:
            org = Organisation(kind=OrganisationKind.ENTERPRISE, name=name, region_code=region, enterprise_type=kind)
            db.session.add(org)
            db.session.flush()
            db.session.add(PerformanceRecord(enterprise_id=org.id, project_name=f"{name}业绩",
                                             source=RecordSource.IN_REGION, fields={}))


def _org_id(app: Any, name: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(Organisation.id).where(Organisation.name == name)))


def _draw(user: Any, **body: Any) -> Any:
    return user.post("/api/v1/spot-checks/draws", body)


def test_a_draw_is_reproducible_from_its_seed_and_stratified(app: Any, as_user: Any) -> None:
    _population(app)
    province = as_user("province")
    first = _draw(province, sample_size=6, seed="2026-Q4", exclude_months=0, dry_run=True)
    assert first.status_code == 200, first.json
    documented = province.get("/api/v1/openapi.json").json["paths"]["/api/v1/spot-checks/draws"]["post"]
    assert {"200", "201"} <= set(documented["responses"])  # a dry run's 200 is documented beside the 201
    again = _draw(province, sample_size=6, seed="2026-Q4", exclude_months=0, dry_run=True)
    assert again.json["items"] == first.json["items"] and len(first.json["items"]) == 6
    # strata by enterprise type and city; one from each, the rest in proportion to size (largest remainder)
    assert first.json["strata"] == {"建筑业企业·450100": {"population": 4, "drawn": 3},
                                    "建筑业企业·450200": {"population": 2, "drawn": 1},
                                    "监理企业·450100": {"population": 2, "drawn": 1},
                                    "监理企业·450300": {"population": 1, "drawn": 1}}
    per_stratum: dict[str, int] = {}
    for item in first.json["items"]:
        per_stratum[item["stratum"]] = per_stratum.get(item["stratum"], 0) + 1
    assert per_stratum == {k: v["drawn"] for k, v in first.json["strata"].items()}
    samples = {tuple(i["enterprise_id"] for i in
                     _draw(province, sample_size=6, seed=s, exclude_months=0, dry_run=True).json["items"])
               for s in ("a", "b", "c", "d", "e", "f")}
    assert len(samples) > 1  # another seed, another sample
    # a real draw's seed is the server's (test_spot_check_draw_fairness.py); the draw is reproducible from it
    stored = _draw(province, sample_size=6, exclude_months=0)
    assert stored.status_code == 201 and len(stored.json["case_ids"]) == 6 and stored.json["draw_id"]
    assert stored.json["strata"] == first.json["strata"]  # the same population, the same allocation
    repeated = _draw(province, sample_size=6, seed=stored.json["seed"], exclude_months=0, dry_run=True)
    assert repeated.json["items"] == stored.json["items"]
    with app.app_context():
        draw = db.session.get(SpotCheckDraw, stored.json["draw_id"])
        assert (draw.seed, draw.sample_size, draw.drawn_by) == (stored.json["seed"], 6, "自治区住建厅·市场监管处")
    # a city draws its own enterprises only
    city = _draw(as_user("city-nanning"), sample_size=50, seed="x", exclude_months=0, dry_run=True).json
    assert {k.split("·")[1] for k in city["strata"]} == {"450100"}


def test_enterprises_checked_in_the_last_months_are_excluded(app: Any, as_user: Any) -> None:
    city = as_user("city-nanning")
    nanning = _org_id(app, NANNING)
    assert [i["enterprise_id"] for i in _draw(city, sample_size=1, seed="s", dry_run=True).json["items"]] == [nanning]
    with app.app_context(), unit_of_work():
        last_month = utcnow() - timedelta(days=31)
        draw = SpotCheckDraw(region_code="450100", seed="old", sample_size=1, exclude_months=6, strata={},
                             excluded=[], drawn_at=last_month, drawn_by="南宁市住建局")
        db.session.add(draw)
        db.session.flush()
        db.session.add(SpotCheckItem(draw_id=draw.id, enterprise_id=nanning, stratum="建筑业企业·450100",
                                     item_ref="performance:0", item_title="旧抽查", drawn_at=last_month))
    # the demo's 柳州 enterprise was checked in October: a draw excluding the last 6 months leaves it out
    liuzhou = _draw(as_user("city-liuzhou"), sample_size=5, seed="x", dry_run=True).json
    assert liuzhou["excluded"] == [_org_id(app, "柳州龙城建筑工程有限公司")]
    assert liuzhou["items"] == []
    excluded = _draw(city, sample_size=1, seed="s", exclude_months=6, dry_run=True).json
    assert excluded["excluded"] == [nanning] and excluded["items"] == [] and excluded["strata"] == {}
    assert _draw(city, sample_size=1, seed="s", exclude_months=1, dry_run=True).json["items"][0][
        "enterprise_id"] == nanning  # checked 31 days ago: outside a one-month window
    assert _draw(city, sample_size=1, seed="s", exclude_months=0, dry_run=True).json["excluded"] == []


def _city_case(app: Any, city: Any) -> int:
    drawn = _draw(city, sample_size=1, exclude_months=0)
    assert drawn.status_code == 201, drawn.json
    [case_id] = drawn.json["case_ids"]
    return int(case_id)


def test_a_spot_check_is_not_acknowledged_as_an_application(app: Any, as_user: Any) -> None:
    """The checked enterprise applied for nothing: it was sent a 受理通知书 (本机关已收到你方提交的申请…)."""
    case_id = _city_case(app, as_user("city-nanning"))
    assert [d["kind"] for d in documents_of(app, case_id)] == []


def test_a_commitment_entry_drawn_says_what_to_verify() -> None:
    """The title read 承诺制录入信息（personnel）#10: a category code and a database id."""
    assert entry_title("personnel", {"name": "黄敏", "id_number": "450103199001011238"}) == \
        "承诺制录入信息：人员信息（黄敏）"
    assert entry_title("finance", {}) == "承诺制录入信息：财务信息"


def test_data_found_true_closes_the_item_without_consequence(app: Any, as_user: Any) -> None:
    city, ent = as_user("city-nanning"), as_user("ent-nanning")
    case_id = _city_case(app, city)
    case = city.case(case_id)
    assert case["number"].startswith("CC-") and case["title"].startswith(f"事中事后抽查：{NANNING}（区内业绩")
    assert ent.case(case_id)["id"] == case_id  # the checked enterprise follows its case
    checked = WebUser(app, "ent-nanning").login().html(f"/cases/{case_id}")
    assert 'data-testid="withdraw"' not in checked  # offered, it always ended on an error page
    page = WebUser(app, "city-nanning").login().html(f"/cases/{case_id}")  # the item named, not "抽查事项 2"
    assert f"{NANNING}：区内业绩" in page and not re.search(r"抽查事项 \d", page)
    assert as_user("city-liuzhou").get(f"/api/v1/cases/{case_id}").status_code == 404
    assert "findings" in field_errors(act(city, case_id, {"finding": "consistent"}))
    act_ok(city, case_id, {"finding": "consistent", "findings": "合同、发票与录入信息一致"})
    assert city.case(case_id)["status"] == "completed"
    with app.app_context():
        assert db.session.scalar(select(SpotCheckItem.finding).where(SpotCheckItem.case_id == case_id)) == "consistent"
        assert integrity.score_at(_org_id(app, NANNING)) == Decimal("87.00")


def test_false_data_after_a_statement_is_criticised_deducted_recorded_and_reported(app: Any, as_user: Any) -> None:
    city, ent = as_user("city-nanning"), as_user("ent-nanning")
    case_id = _city_case(app, city)
    assert field_errors(act(city, case_id, {"finding": "false_data", "findings": "合同金额与发票不符"})) == {
        "evidence_files": "认定虚假信息须上传核查证据"}
    act_ok(city, case_id, {"finding": "false_data", "findings": "合同金额与发票不符",
                           "evidence_files": [upload(city, case_id, "核查记录.pdf")]})
    statement = ent.task_for(case_id)
    assert statement is not None and statement["title"] == "陈述申辩"
    assert city.case(case_id)["status"] == "waiting_for_applicant"
    withdraw = ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "不同意"})
    assert withdraw.status_code == 403 and withdraw.json["code"] == "withdraw_not_allowed"
    act_ok(ent, case_id, {"statement": "合同金额录入时多写一位，系笔误"})
    errors = field_errors(act(city, case_id, {"decision": "confirm", "serious": True}))
    assert set(errors) == {"notice_text", "deduction"}
    act_ok(city, case_id, {"decision": "confirm", "serious": True, "deduction": 5,
                           "notice_text": "经核查，该企业录入的业绩合同金额虚报，予以通报批评。"})
    case = city.case(case_id)
    assert case["status"] == "completed" and case["data"]["penalty"]["reported_national"] is True
    ent_id = _org_id(app, NANNING)
    with app.app_context():
        notice = db.session.scalar(select(PublicNotice).where(PublicNotice.case_id == case_id))
        assert notice.issuer == "南宁市住房和城乡建设局" and NANNING in notice.title
        entry = db.session.scalar(select(IntegrityEntry).where(IntegrityEntry.source_case_id == case_id))
        assert entry.points == Decimal("-5.00") and entry.source == "spot_check"
        assert entry.recorded_by == "南宁市住建局·审核员"
        bad = db.session.scalar(select(BehaviourRecord).where(BehaviourRecord.source_case_id == case_id))
        assert bad.kind == "bad" and bad.integrity_entry_id == entry.id and bad.reported_national
        report = db.session.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case_id,
                                                               OutboxMessage.kind == "national_platform.bad_behaviour"))
        assert report.payload["enterprise_name"] == NANNING and report.payload["case_number"] == case["number"]
        assert report.payload["deduction"] == 5 and report.target == "national_platform"
        assert integrity.score_at(ent_id) == Decimal("82.00")
    ledger = ent.get(f"/api/v1/records/enterprises/{ent_id}/integrity").json
    assert ledger["score"] == "82.00"
    assert ledger["entries"][-1]["source_case_id"] == case_id and ledger["entries"][-1]["points"] == "-5.00"
    notices = ent.get("/api/v1/spot-checks/notices").json["items"]
    assert notices[0]["case_id"] == case_id
    # a sanction, not a 办结通知 of "your application": the measures and how to appeal them
    [document] = documents_of(app, case_id)
    assert (document["kind"], document["title"]) == ("sanction", "处理决定书")
    assert re.fullmatch(r"南宁住建处〔\d{4}〕\d+号", document["number"])
    text = download(WebUser(app, "ent-nanning").login(), case_id, document["id"])
    assert "决定：认定录入虚假信息" in text and "申请" not in text.replace("申请行政复议", "")
    assert "扣减诚信分：5" in text and "情节严重（报送全国平台）：是" in text and "予以通报批评" in text
    assert "六十日内向南宁市人民政府申请行政复议" in text and "六个月内依法向人民法院提起行政诉讼" in text
    english = WebUser(app, "ent-nanning").login()
    english.get("/lang/en")
    assert "Decision: Found to have entered false information" in english.html(f"/cases/{case_id}")


def test_statement_deadline_passes_and_the_finding_is_dismissed(app: Any, as_user: Any) -> None:
    city, ent = as_user("city-nanning"), as_user("ent-nanning")
    with freeze_time("2026-12-04 02:00:00"):  # Friday 10:00 in Nanning
        case_id = _city_case(app, city)
        act_ok(city, case_id, {"finding": "false_data", "findings": "竣工日期与验收证明不符",
                               "evidence_files": [upload(city, case_id, "核查记录.pdf")]})
        statement = ent.task_for(case_id)
        assert statement["due_at"].startswith("2026-12-11")  # 5 working days: Friday the 11th
    with freeze_time("2026-12-11 08:00:00"), app.app_context():  # 16:00 on the last day: not yet
        assert fire_due_timers() == 0
    with freeze_time("2026-12-11 16:00:01"), app.app_context():  # the day is over
        assert fire_due_timers() == 1
    assert ent.task_for(case_id) is None
    case = city.case(case_id)
    assert "statement" not in case["data"] and case["current_step"] == "作出抽查处理决定"
    act_ok(city, case_id, {"decision": "dismiss", "serious": False, "comment": "证据不足"})
    with app.app_context():
        assert db.session.scalar(select(SpotCheckItem.finding).where(SpotCheckItem.case_id == case_id)) == "dismissed"
        assert db.session.scalar(select(IntegrityEntry.id).where(IntegrityEntry.source_case_id == case_id)) is None
    [document] = documents_of(app, case_id)  # dismissed: the enterprise is told the check is closed, no sanction
    assert document["kind"] == "completion"
    text = download(WebUser(app, "ent-nanning").login(), case_id, document["id"])
    assert "本机关对你单位的“事中事后抽查" in text and "办理结果：采纳申辩，不予认定" in text
    assert "说明：证据不足" in text
    assert "你方提交" not in text and "申请事项" not in text


def test_a_province_draw_is_inspected_by_the_province(app: Any, as_user: Any) -> None:
    province, city = as_user("province"), as_user("city-nanning")
    drawn = _draw(province, sample_size=2, exclude_months=0).json
    for case_id in drawn["case_ids"]:
        task = province.task_for(case_id, view="mine")
        assert task is not None and task["title"] == "核查抽查事项（自治区）"
        assert city.task_for(case_id) is None
        act_ok(province, case_id, {"finding": "consistent", "findings": "资料与现场一致"})
        assert province.case(case_id)["status"] == "completed"


def test_guards_of_draw_and_start(app: Any, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    refused = _draw(ent, sample_size=1)
    assert refused.status_code == 403 and refused.json["code"] == "spot_check_not_allowed"
    assert _draw(as_user("supervisor"), sample_size=1).json["code"] == "spot_check_not_allowed"
    assert _draw(city, sample_size=0).status_code == 422
    case_id = _city_case(app, city)
    item_id = city.case(case_id)["data"]["item_id"]
    again = city.start("spot_check", {"item_id": item_id})
    assert "item_id" in field_errors(again)  # inspected already: not among the choices
    assert ent.start("spot_check", {"item_id": item_id}).json["code"] == "start_not_allowed"
    listed = {p["key"]: p for p in city.get("/api/v1/procedures").json}
    assert listed["spot_check"]["start_form"]["required"] == ["item_id"]


def test_the_dashboard_counts_spot_checks(app: Any, as_user: Any) -> None:
    city = as_user("city-nanning")
    _city_case(app, city)
    table = as_user("supervisor").get("/api/v1/dashboard/open_cases").json
    rows = [r for r in table["rows"] if r["procedure"] == "spot_check"]
    assert sum(r["total"] for r in rows) == 1 and rows[0]["procedure_name"] == "事中事后抽查"


def test_a_province_finding_that_is_not_serious_stays_out_of_the_national_report(app: Any, as_user: Any) -> None:
    province, ent = as_user("province"), as_user("ent-nanning")
    nanning = _org_id(app, NANNING)
    drawn = _draw(province, sample_size=2, exclude_months=0).json
    case_id = next(c for c, i in zip(drawn["case_ids"], drawn["items"], strict=True) if i["enterprise_id"] == nanning)
    act_ok(province, case_id, {"finding": "false_data", "findings": "社保缴费月数与社保证明不符",
                               "evidence_files": [upload(province, case_id, "核查记录.pdf")]})
    act_ok(ent, case_id, {"statement": "社保缴费记录由原单位转入，尚未合并"})
    decision = province.task_for(case_id)
    assert decision["title"] == "作出抽查处理决定（自治区）"
    act_ok(province, case_id, {"decision": "confirm", "serious": False, "deduction": 2,
                               "notice_text": "经核查，该企业录入的人员社保信息不实，予以通报批评。"})
    with app.app_context():
        notice = db.session.scalar(select(PublicNotice).where(PublicNotice.case_id == case_id))
        assert notice.issuer == "广西壮族自治区住房和城乡建设厅"
        assert db.session.scalar(select(BehaviourRecord.reported_national).where(
            BehaviourRecord.source_case_id == case_id)) is False
        assert db.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.case_id == case_id, OutboxMessage.kind == "national_platform.bad_behaviour")) is None
        assert integrity.score_at(nanning) == Decimal("85.00")
