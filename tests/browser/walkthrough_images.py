"""The screenshots of the walkthroughs (docs/walkthroughs/*.md), taken from the real pages in Debian's chromium.

    python -m tests.browser.walkthrough_images [folder] [procedure ...]
        (default: docs/walkthroughs/img and every walkthrough; `make screenshots` runs it)

Each walkthrough's "In the browser" path is walked as written, each on a fresh demo site (tests.browser.demo_site): the
demo users it names sign in (each in a browser context of its own), click what it says, fill the forms, submit,
claim and decide. The images are named `<procedure>-NN-<what>.png`, 1366 pixels wide (the viewport, scrolled to
what the step shows), reduced to a palette and compressed. Images of the walked procedures left from an earlier
run are removed first, so that the folder holds what the walkthroughs link (tests/unit/test_walkthrough_images.py).
Needs the npm assets (`make assets`) and the translations compiled.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.services.deadlines.limits import LOCAL_TZ
from tests.browser.demo_site import ROOT, Site, compress, screenshot, take_images
from tests.browser.helpers import (
    attach,
    box,
    choose,
    claim,
    inbox,
    open_mine,
    sign_in,
    submit,
    submit_task,
    submitted,
    tick,
    write,
)

FOLDER = ROOT / "docs" / "walkthroughs" / "img"
WIDTH, HEIGHT = 1366, 800


class Shots:
    """Numbered images of one walkthrough: `<procedure>-NN-<what>.png`."""

    def __init__(self, site: Site, procedure: str) -> None:
        self.site, self.procedure = site, procedure
        self.taken: list[Path] = []

    def __call__(self, page: Any, what: str, at: Any = None, full_page: bool = False) -> None:
        """The viewport (scrolled so that `at`, a locator, is at its top), or the whole page."""
        if at is not None:
            at.first.evaluate("el => window.scrollTo({top: el.getBoundingClientRect().top + window.scrollY - 12,"
                              " behavior: 'instant'})")  # not Bootstrap's smooth scrolling
        else:
            page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
        path = self.site.folder / f"{self.procedure}-{len(self.taken) + 1:02d}-{what}.png"
        path.write_bytes(compress(screenshot(page, full_page=full_page), WIDTH))
        self.taken.append(path)


# ---- the steps every walkthrough takes ---------------------------------------------------------------------------

def person(site: Site, username: str) -> Any:
    """A browser of its own for the demo user, signed in (password, then the demo code)."""
    page = site.new_page()
    sign_in(page, username)
    return page












def today() -> str:
    """Today in the app's time zone (a form's date may not lie before the application nor after today)."""
    return datetime.now(LOCAL_TZ).date().isoformat()


def start(page: Any, procedure_name: str) -> None:
    """首页 → 发起办件 → 申请 beside the procedure (a start form, or the first task at once)."""
    page.goto("/")
    section = page.locator("section[aria-labelledby=start-heading]")
    row = section.locator("div.border-bottom", has=page.get_by_text(procedure_name, exact=True))
    assert row.count() == 1, section.inner_text()
    row.locator(".btn").click()
    page.wait_for_load_state()












def form_card(page: Any) -> Any:
    """The task's card 办理 (its heading, the form's note and the form)."""
    return page.locator("section", has=page.get_by_test_id("task-form"))


def take(page: Any, number: str) -> None:
    """The case's task: 领取 in 待领取, or (consecutive steps stay with the reviewer) open it in 我的待办."""
    inbox(page)
    if page.locator(f"tr[data-case-number='{number}']").count():
        claim(page, number)
    else:
        open_mine(page, number)


def fill_record(page: Any) -> None:
    """The 《企业业绩实地核查记录表》 filled in: two verifiers, every item checked and found consistent."""
    box(page, "verification_date").locator("input").fill(today())
    write(page, "verification_location", "南宁市青秀区民族大道项目现场")
    rows = page.locator("[data-rows=verifiers]")
    while rows.locator(".rows-list .row-item").count() < 2:
        rows.locator(".row-add").click()
    verifiers = (("李明", "南宁市住房和城乡建设局"), ("周红", "南宁市建筑市场服务中心"))
    for index, (name, organisation) in enumerate(verifiers):
        write(page, f"verifiers.{index}.name", name)
        write(page, f"verifiers.{index}.organisation", organisation)
    write(page, "enterprise_attendees", "陆伟（项目经理）")
    for item in ("bid_award", "contract", "permit", "completion", "key_personnel", "site"):
        choose(page, f"findings.{item}.result", "consistent")
    choose(page, "conclusion", "consistent")
    write(page, "conclusion_note", "现场核查，申报业绩与实际一致")


def diagram(page: Any) -> None:
    page.wait_for_selector("#diagram[data-state=rendered]")


# ---- the walkthroughs ----------------------------------------------------------------------------------------------

def personnel_unlock(site: Site) -> list[Path]:
    shot = Shots(site, "personnel_unlock")
    ent = person(site, "ent-nanning")
    shot(ent, "enterprise-home")
    ent.locator("[data-start=personnel_unlock]").click()
    ent.wait_for_load_state()
    choose(ent, "kind", "completion")
    tick(ent, "lock_ids", "陆伟")
    write(ent, "reason", "项目已竣工验收")
    attach(ent, "application_files", "解锁申请表.pdf")
    shot(ent, "application-form")
    ent.locator("[data-action=submit]").click()  # the certificate is missing: said beside the field
    ent.locator("[data-field-error=completion_files]").wait_for()
    shot(ent, "missing-upload", at=box(ent, "completion_files"))
    attach(ent, "completion_files", "竣工验收合格意见书.pdf")
    number = submitted(ent)
    diagram(ent)
    shot(ent, "case-page")

    city = person(site, "city-nanning")
    shot(city, "city-inbox")
    claim(city, number)
    shot(city, "review-task")
    choose(city, "decision", "return")
    tick(city, "missing_items", "竣工验收合格意见书")
    write(city, "comment", "竣工验收合格意见书缺少建设单位盖章")
    shot(city, "review-return", at=box(city, "decision"))
    submitted(city)

    ent.goto("/")
    ent.get_by_test_id("bell").click()
    ent.wait_for_load_state()
    shot(ent, "notice-supplement")
    ent.goto("/")
    ent.locator("tr[data-task] a", has_text="办理").first.click()
    ent.wait_for_load_state()
    shot(ent, "task-returned", at=ent.get_by_test_id("last-result"))
    ent.locator("[data-field=completion_files] input[type=checkbox]").uncheck()
    attach(ent, "completion_files", "竣工验收合格意见书（盖章）.pdf")
    submitted(ent)

    claim(city, number)
    choose(city, "decision", "approve")
    submitted(city)
    ent.reload()
    diagram(ent)
    shot(ent, "case-completed-documents", at=ent.get_by_test_id("documents"))

    city.goto("/cases")
    city.get_by_label("人员").fill("陆伟")
    city.get_by_role("button", name="查询").click()
    city.wait_for_load_state()
    shot(city, "case-search")
    return shot.taken


def upgrade_start(page: Any, name: str, level: str) -> None:
    """The enterprise's start form of an upgrade filled in (its first project of that level)."""
    start(page, name)
    box(page, "project_id").locator("select").select_option(label=project_option(page, f"当前{level}级"))
    write(page, "contact_name", "黄工")
    write(page, "contact_phone", "13907711234")
    write(page, "statement", "项目已竣工验收，合同金额3200万元")
    tick(page, "commitment")


def project_option(page: Any, text: str) -> str:
    labels = box(page, "project_id").locator("option").all_inner_texts()
    return next(label for label in labels if text in label)


def data_upgrade_b_to_a(site: Site) -> list[Path]:
    shot = Shots(site, "data_upgrade_b_to_a")
    ent = person(site, "ent-nanning")
    upgrade_start(ent, "数据等级B级提升为A级", "B")
    shot(ent, "start-form")
    number = submitted(ent, "发起")
    diagram(ent)
    shot(ent, "case-page")

    province = person(site, "province")
    shot(province, "province-inbox")
    claim(province, number)
    choose(province, "verification_mode", "delegate")
    write(province, "delegation_note", "核查合同金额与现场")
    shot(province, "verification-mode", at=form_card(province))
    submitted(province)

    city = person(site, "city-nanning")
    claim(city, number)
    fill_record(city)
    attach(city, "record_files", "抽查核查报告.pdf")
    shot(city, "verification-record", at=form_card(city))
    submitted(city)

    take(province, number)
    choose(province, "decision", "approve")
    shot(province, "decision", at=province.get_by_test_id("submitted"))
    submitted(province)
    diagram(province)
    shot(province, "case-waiting-national-platform")
    return shot.taken


def data_upgrade_c_to_a(site: Site) -> list[Path]:
    shot = Shots(site, "data_upgrade_c_to_a")
    ent = person(site, "ent-nanning")
    upgrade_start(ent, "数据等级C级提升为A级", "C")
    number = submitted(ent, "发起")
    diagram(ent)
    shot(ent, "case-page")

    city = person(site, "city-nanning")
    claim(city, number)
    choose(city, "decision", "approve")
    shot(city, "city-review", at=form_card(city))
    submitted(city)
    open_mine(city, number)  # consecutive steps stay with the reviewer
    fill_record(city)
    shot(city, "verification-record", at=form_card(city))
    submitted(city)
    open_mine(city, number)
    box(city, "dispatch_date").locator("input").fill(today())
    write(city, "courier_company", "中国邮政EMS")
    write(city, "tracking_number", "1190123456789")
    write(city, "recipient", "自治区住建厅建筑市场监管处")
    shot(city, "dispatch-original", at=form_card(city))
    submitted(city)

    province = person(site, "province")
    claim(province, number)
    choose(province, "decision", "return")
    write(province, "return_note", "请补充现场照片")
    shot(province, "province-return", at=form_card(province))
    submitted(province)
    take(city, number)
    shot(city, "record-returned-prefilled", at=city.get_by_test_id("last-result"))
    write(city, "verification_location", "南宁市青秀区民族大道项目现场（补拍照片）")
    submitted(city)
    open_mine(city, number)
    box(city, "dispatch_date").locator("input").fill(today())
    write(city, "courier_company", "中国邮政EMS")
    write(city, "tracking_number", "1190123456790")
    submitted(city)

    take(province, number)
    tick(province, "original_received")
    box(province, "received_date").locator("input").fill(today())
    tick(province, "original_consistent")
    choose(province, "decision", "approve")
    write(province, "comment", "原件已收到，与系统中的核查记录一致")
    shot(province, "province-decision", at=form_card(province))
    submitted(province)
    diagram(province)
    shot(province, "case-after-decision")
    return shot.taken


def pick(page: Any, name: str, text: str) -> None:
    """Choose the option of a select whose label holds `text`."""
    labels = box(page, name).locator("option").all_inner_texts()
    box(page, name).locator("select").select_option(label=next(label for label in labels if text in label))


def days_ago(days: int) -> str:
    return (datetime.now(LOCAL_TZ).date() - timedelta(days=days)).isoformat()


def personnel_deregistration(site: Site) -> list[Path]:
    shot = Shots(site, "personnel_deregistration")
    ent = person(site, "ent-nanning")
    start(ent, "人员注销")
    choose(ent, "mode", "employer")
    pick(ent, "person_id", "陆伟")
    box(ent, "leave_date").locator("input").fill(days_ago(10))
    write(ent, "reason", "已离职")
    shot(ent, "employer-start-form")
    submit(ent, "发起")  # 陆伟 is locked to a project: refused, the form stays open
    shot(ent, "locked-person-refused")

    applicant = person(site, "person")
    shot(applicant, "individual-home")
    start(applicant, "人员注销")
    choose(applicant, "mode", "non_cooperating")
    box(applicant, "leave_date").locator("input").fill(days_ago(10))
    submit(applicant, "发起")
    write(applicant, "statement", "原单位拒不办理注销手续")
    attach(applicant, "application_files", "人员注销申请书.pdf")
    attach(applicant, "separation_files", "离职证明.pdf")
    attach(applicant, "id_card_files", "身份证复印件.pdf")
    choose(applicant, "paper_delivery", "post")
    shot(applicant, "application-form", at=form_card(applicant))
    number = submitted(applicant)
    diagram(applicant)
    shot(applicant, "case-page")

    city = person(site, "city-nanning")
    claim(city, number)
    choose(city, "decision", "approve")
    tick(city, "paper_originals_received")
    shot(city, "review", at=form_card(city))
    submitted(city)
    diagram(city)
    shot(city, "case-completed")
    return shot.taken


def performance_record_edit(site: Site) -> list[Path]:
    shot = Shots(site, "performance_record_edit")
    ent = person(site, "ent-nanning")
    start(ent, "投标业绩修改")
    pick(ent, "record_id", "南宁滨江大道改造工程")
    shot(ent, "start-form")
    submit(ent, "发起")
    assert "/tasks/" in ent.url, ent.locator("main").inner_text()[:800]
    choose(ent, "changes.0.field", "contract_amount")
    write(ent, "changes.0.new_value", "3250.00")
    write(ent, "reason", "合同金额以结算审计为准")
    for name, file in (("bid_award_files", "中标通知书.pdf"), ("contract_files", "施工合同.pdf"),
                       ("permit_files", "施工许可证.pdf"), ("completion_files", "竣工验收合格意见书.pdf")):
        attach(ent, name, file)
    shot(ent, "changes", at=form_card(ent))
    number = submitted(ent)
    diagram(ent)
    shot(ent, "case-page")

    province = person(site, "province")
    claim(province, number)
    for name in ("original_bid_award", "original_contract", "original_permit", "original_completion"):
        tick(province, name)
    choose(province, "decision", "approve")
    shot(province, "review-originals", at=form_card(province))
    submitted(province)
    diagram(province)
    shot(province, "case-completed")
    return shot.taken


def add_rows(page: Any, name: str, count: int) -> None:
    rows = page.locator(f"[data-rows={name}]")
    while rows.locator(".rows-list .row-item").count() < count:
        rows.locator(".row-add").click()


def review_items(site: Site, number: str) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from app.extensions import db
    from app.models.case import Case

    with site.app.app_context():
        case = db.session.execute(select(Case).where(Case.number == number)).scalar_one()
        items: list[dict[str, Any]] = case.data["applied"]["review_items"]
        db.session.remove()
    return items


def commitment_entry(site: Site) -> list[Path]:
    shot = Shots(site, "commitment_entry")
    ent = person(site, "ent-nanning")
    start(ent, "入库信息填报（入库承诺制）")
    for section in ("good_behaviour", "tax"):
        box(ent, "sections").locator(f"input[value={section}]").check()
    shot(ent, "start-form")
    submit(ent, "发起")
    add_rows(ent, "good_behaviours", 1)
    write(ent, "good_behaviours.0.title", "2025年度广西建筑业优秀企业")
    box(ent, "good_behaviours.0.awarded_on").locator("input").fill("2025-12-20")
    write(ent, "good_behaviours.0.issuer", "广西建筑业联合会")
    add_rows(ent, "tax_records", 1)
    write(ent, "tax_records.0.year", "2025")
    write(ent, "tax_records.0.amount", "860.00")
    attach(ent, "review_files", "良好行为及完税证明.pdf")
    shot(ent, "entries", at=form_card(ent))
    submit(ent)
    if "/tasks/" not in ent.url:
        ent.goto("/")
        ent.locator("tr[data-task] a", has_text="办理").first.click()
        ent.wait_for_load_state()
    choose(ent, "text_version", "GJY-CN-2021-01")
    tick(ent, "agree")
    shot(ent, "sign-commitment", at=form_card(ent))
    number = submitted(ent)
    diagram(ent)
    shot(ent, "case-page")

    city = person(site, "city-nanning")
    claim(city, number)
    items = review_items(site, number)  # a row per item, chosen by its title
    add_rows(city, "reviews", len(items))
    for index, item in enumerate(items):
        choose(city, f"reviews.{index}.entry_id", str(item["entry_id"]))
        choose(city, f"reviews.{index}.decision", "approve")
    shot(city, "review-item-by-item", at=form_card(city))
    submitted(city)
    diagram(city)
    shot(city, "case-completed")
    return shot.taken


def historical_performance(site: Site) -> list[Path]:
    shot = Shots(site, "historical_performance")
    ent = person(site, "ent-nanning")
    start(ent, "历史业绩补录")
    write(ent, "project_name", "南宁市良庆区市政道路工程")
    write(ent, "location_code", "450108")
    write(ent, "contract_amount", "1800.00")
    box(ent, "completion_date").locator("input").fill("2019-06-30")
    write(ent, "project_manager", "陆伟")
    write(ent, "construction_unit", "南宁市良庆区住房和城乡建设局")
    shot(ent, "start-form")
    submit(ent, "发起")
    attach(ent, "contract_files", "施工合同.pdf")
    attach(ent, "completion_files", "竣工验收合格意见书.pdf")
    attach(ent, "bid_award_files", "中标通知书.pdf")
    shot(ent, "upload-documents", at=form_card(ent))
    number = submitted(ent)
    diagram(ent)
    shot(ent, "case-page")

    city = person(site, "city-nanning")
    claim(city, number)
    choose(city, "decision", "approve")
    tick(city, "originals_checked")
    shot(city, "review", at=form_card(city))
    submitted(city)
    diagram(city)
    shot(city, "case-completed")
    return shot.taken


def migrated_data_confirmation(site: Site) -> list[Path]:
    shot = Shots(site, "migrated_data_confirmation")
    ent = person(site, "ent-nanning")
    start(ent, "迁移数据确认")
    tick(ent, "record_ids", "南宁江南污水处理厂扩建工程", "南宁体育中心配套道路工程")
    shot(ent, "start-form")
    ids = box(ent, "record_ids").locator("input:checked").evaluate_all("boxes => boxes.map(b => b.value)")
    submit(ent, "发起")
    add_rows(ent, "records", len(ids))  # a row per record, chosen by its name
    for index, (record_id, completion) in enumerate(zip(ids, ("2020-12-30", ""), strict=True)):
        choose(ent, f"records.{index}.record_id", record_id)
        write(ent, f"records.{index}.location_code", "450103")
        if completion:
            box(ent, f"records.{index}.completion_date").locator("input").fill(completion)
    if ent.locator("[data-field=confirm_other] input").count():
        tick(ent, "confirm_other")
    shot(ent, "complete-records", at=form_card(ent))
    submitted(ent)
    diagram(ent)
    shot(ent, "case-completed")
    return shot.taken


def project_registration(site: Site) -> list[Path]:
    shot = Shots(site, "project_registration")
    owner = person(site, "owner-nanning")
    start(owner, "在建项目录入审核")
    write(owner, "permit_number", "450103202512100301")
    shot(owner, "start-form")
    submit(owner, "发起")
    assert "/tasks/" in owner.url, owner.locator("main").inner_text()[:800]
    shot(owner, "complete-project", at=form_card(owner))
    submit_task(owner, "五象新区第十二小学")
    number = str(owner.get_by_test_id("case-number").inner_text())
    diagram(owner)
    shot(owner, "case-page")

    city = person(site, "city-nanning")
    claim(city, number)
    choose(city, "decision", "approve")
    shot(city, "review", at=form_card(city))
    submitted(city)
    diagram(city)
    shot(city, "case-completed")
    return shot.taken


def spot_check(site: Site) -> list[Path]:
    shot = Shots(site, "spot_check")
    city = person(site, "city-nanning")
    city.get_by_role("link", name="事中事后抽查").click()
    city.wait_for_load_state()
    city.get_by_label("抽查数量").fill("1")
    city.get_by_role("button", name="预览").click()
    city.wait_for_load_state()
    shot(city, "preview", at=city.get_by_test_id("spot-check-result"))
    city.get_by_role("button", name="抽取并发起").click()
    city.wait_for_load_state()
    shot(city, "drawn")
    number = city.get_by_test_id("spot-check-items").locator("[data-case-number]").first.get_attribute(
        "data-case-number")
    city.get_by_role("link", name="前往待办任务").click()
    city.wait_for_load_state()
    shot(city, "my-tasks")
    open_mine(city, number)
    choose(city, "finding", "false_data")
    write(city, "findings", "申报的项目经理未实际到岗履职")
    attach(city, "evidence_files", "现场核查记录.pdf")
    shot(city, "inspection", at=form_card(city))
    submitted(city)

    ent = person(site, "ent-nanning")
    ent.locator("tr[data-task] a", has_text="办理").first.click()
    ent.wait_for_load_state()
    write(ent, "statement", "项目经理因病短期休假，已安排代岗人员")
    shot(ent, "statement", at=form_card(ent))
    submitted(ent)

    claim(city, number)
    choose(city, "decision", "confirm")
    write(city, "deduction", "5")
    tick(city, "serious")  # this walk shows a serious finding; left unticked it is not reported
    write(city, "notice_text", "广西邕城建设集团有限公司申报的项目经理未实际到岗履职，予以通报批评。")
    shot(city, "decision", at=form_card(city))
    submitted(city)
    ent.get_by_role("link", name="诚信评价").click()
    ent.wait_for_load_state()
    shot(ent, "integrity")
    return shot.taken


WALKS: dict[str, Callable[[Site], list[Path]]] = {
    "personnel_unlock": personnel_unlock,
    "data_upgrade_b_to_a": data_upgrade_b_to_a,
    "data_upgrade_c_to_a": data_upgrade_c_to_a,
    "personnel_deregistration": personnel_deregistration,
    "performance_record_edit": performance_record_edit,
    "commitment_entry": commitment_entry,
    "historical_performance": historical_performance,
    "migrated_data_confirmation": migrated_data_confirmation,
    "project_registration": project_registration,
    "spot_check": spot_check,
}


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else FOLDER
    chosen = argv[1:] or list(WALKS)
    unknown = set(chosen) - set(WALKS)
    if unknown:
        print(f"no walk for {sorted(unknown)}; known: {', '.join(WALKS)}", file=sys.stderr)
        return 2
    folder.mkdir(parents=True, exist_ok=True)
    for key in chosen:
        for old in folder.glob(f"{key}-[0-9][0-9]-*.png"):
            old.unlink()

    # each walkthrough on a fresh demo site: as after `make run`, whatever the walks before it changed
    return max(take_images(folder, WALKS[key], WIDTH, HEIGHT) for key in chosen)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
