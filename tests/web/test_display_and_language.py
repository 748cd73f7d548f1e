"""What pages show: chosen records by name (never an internal id), the dashboard's scroll boxes and names,
the English pages, the language switch after a refused form, the bell and the admin's calendar link."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Person
from app.services.demo import id_number
from app.web.data_display import show_data, show_value
from tests.procedures.steps import act_ok, upload
from tests.support.factories import NOVEMBER_QUERY
from tests.support.web import PDF_BYTES, WebUser
from tests.web.test_pages import REASON, field_errors, lock_value, start

LIANG_HAI = id_number("45010719920105003")  # 梁海 of the Nanning enterprise: no lock, no certificate in force
PERSON_FIELD = "注销人员（本单位人员；个人申请时为本人）"


def shown_value(html: str, label: str) -> str:
    match = re.search(rf"<dt[^>]*>{re.escape(label)}</dt>\s*<dd[^>]*>\s*<span[^>]*>([^<]*)</span>", html)
    assert match, f"{label} is not shown"
    return match.group(1)


def dereg_by_new_employer(web: Callable[[str], WebUser]) -> tuple[WebUser, int]:
    """ent-liuzhou applies to deregister 梁海, whose former employer (Nanning) does not cooperate."""
    ent = web("ent-liuzhou")
    started = ent.post("/cases/start/personnel_deregistration", {
        "mode": "non_cooperating", "person_id_number": LIANG_HAI, "person_name": "梁海", "leave_date": "2025-10-31"})
    assert started.status_code == 302, started.get_data(as_text=True)
    task_page = ent.html(started.headers["Location"])
    case_id = int(re.search(r'href="/cases/(\d+)"', task_page).group(1))  # type: ignore[union-attr]
    return ent, case_id


def test_a_person_of_another_enterprise_is_shown_by_masked_name_not_by_id(web: Callable[[str], WebUser],
                                                                       app: Flask, as_user: Any) -> None:
    ent, case_id = dereg_by_new_employer(web)
    applicant = as_user("ent-liuzhou")  # submitted, so that the authority receives it
    act_ok(applicant, case_id, {"statement": "原单位拒绝出具离职证明，也不在系统中办理注销",
                                "application_files": [upload(applicant, case_id, "注销申请书.pdf")],
                                "separation_files": [upload(applicant, case_id, "劳动仲裁裁决书.pdf")],
                                "id_card_files": [upload(applicant, case_id, "身份证.pdf")],
                                "new_employment_files": [upload(applicant, case_id, "劳动合同.pdf")],
                                "paper_delivery": "counter"})
    with app.app_context():
        person_id = db.session.scalar(select(Person.id).where(Person.name == "梁海"))
    expected = "梁海（4501**********" + LIANG_HAI[-4:] + "）"
    for viewer in (ent, web("city-nanning")):  # neither has 梁海 among their own choices
        html = viewer.html(f"/cases/{case_id}")
        assert shown_value(html, PERSON_FIELD) == expected
        assert f">{person_id}<" not in html


def test_a_chosen_record_without_a_stored_title_is_never_a_bare_id(app: Flask) -> None:
    spec = {"type": "integer", "title": "注销人员", "x-choices": "dereg.persons",
            "oneOf": [{"const": None, "title": "（无可选项）"}]}
    listed = {"type": "array", "title": "申请解锁的人员",
              "items": {"type": "integer", "x-choices": "unlock.locked_persons",
                        "oneOf": [{"const": 5, "title": "陆伟"}]}}
    static = {"type": "string", "title": "方式", "oneOf": [{"const": "a", "title": "甲"}]}
    with app.test_request_context():
        assert show_value("person_id", 7, spec, {}).text == "（已选对象）"
        assert show_value("lock_ids", [5, 9], listed, {}).text == "陆伟、（已选对象）"
        assert show_value("mode", "b", static, {}).text == "b"  # a fixed option list is not a record id
        full = {"person_id": 7, "person_name": "梁海", "person_id_number": "450107199201050034"}
        assert show_data(full, {"person_id": spec}, {})[0].text == "梁海"  # a full number is never added
        case_data = {"project_id": 3, "project_name": "南宁市民服务中心工程", "project_code": "4501002024B001"}
        project = {**spec, "x-choices": "upgrade.entered_projects"}
        assert show_data({"project_id": 3}, {"project_id": project}, {}, context=case_data)[0].text == \
            "南宁市民服务中心工程（4501002024B001）"


def test_id_numbers_and_phones_in_a_case_s_data_are_shown_masked(app: Flask) -> None:
    """入库信息填报's personnel rows showed 黄敏's ID number in full on the case and task pages."""
    rows = {"type": "array", "title": "人员信息", "x-widget": "rows", "items": {"type": "object", "properties": {
        "name": {"type": "string", "title": "姓名"}, "id_number": {"type": "string", "title": "身份证号码"},
        "phone": {"type": "string", "title": "手机"}}}}
    phone = {"type": "string", "title": "联系电话"}
    with app.test_request_context():
        shown = show_value("personnel", [{"name": "黄敏", "id_number": "450103199001011238",
                                          "phone": "13800138000"}], rows, {})
        assert shown.rows == [["黄敏", "4501**********1238", "138****8000"]]
        assert show_value("contact_phone", "13800138000", phone, {}).text == "138****8000"
        assert show_value("person_id_number", "4501**********1238", phone, {}).text == "4501**********1238"


def test_an_empty_id_number_or_phone_is_shown_as_a_dash_not_a_mask(app: Flask) -> None:
    """A person completed without a phone showed "*" in the 手机 cell: the mask was laid on the "—" placeholder."""
    rows = {"type": "array", "title": "人员信息", "x-widget": "rows", "items": {"type": "object", "properties": {
        "name": {"type": "string", "title": "姓名"}, "id_number": {"type": "string", "title": "身份证号码"},
        "phone": {"type": "string", "title": "手机"}}}}
    contact = {"type": "object", "title": "联系人", "properties": {"name": {"type": "string", "title": "姓名"},
                                                                 "phone": {"type": "string", "title": "手机"}}}
    with app.test_request_context():
        assert show_value("personnel", [{"name": "梁海"}], rows, {}).rows == [["梁海", "—", "—"]]
        assert show_value("phone", None, {"type": "string", "title": "手机"}, {}).text == "—"
        assert show_value("contact", {"name": "李明", "phone": None}, contact, {}).text == "姓名：李明；手机：—"


def test_dashboard_scroll_boxes_are_named_focusable_regions_and_show_names_not_codes(app: Flask,
                                                                                     world: Any) -> None:
    supervisor = WebUser(app, "supervisor").login()
    html = supervisor.html(f"/dashboard?{NOVEMBER_QUERY}")
    boxes = re.findall(r'<div class="dash-scroll"[^>]*>', html)
    assert len(boxes) >= 8
    for box in boxes:
        assert 'tabindex="0"' in box and 'role="region"' in box and 'aria-label="' in box, box
    assert 'aria-label="红黄牌记分（按审核人员）（表格，可左右滚动）"' in html
    for code in ("personnel_unlock", "review_request", "city-nanning", ">450100<"):
        assert code not in html, code
    for name in ("项目人员解锁", "审核解锁申请", "南宁市住建局·审核员", "南宁市"):
        assert name in html, name
    for header in ("事项代码", "环节代码", "账号", "地区代码"):
        assert f">{header}<" not in html, header
    assert 'class="dash-name"' in html  # names keep one line in the scroll box
    export = supervisor.get(f"/dashboard/export/by_step.csv?{NOVEMBER_QUERY}").get_data(as_text=True)
    assert "personnel_unlock" in export and "review_request" in export  # exports keep the codes
    supervisor.get("/lang/en")
    english = supervisor.html(f"/dashboard?{NOVEMBER_QUERY}")
    assert "(table, scrolls sideways)" in english and "（表格，可左右滚动）" not in english


def test_english_pages_translate_notifications_bell_roles_badges_and_the_calendar(
        web: Callable[[str], WebUser], app: Flask) -> None:
    from app.db import unit_of_work
    from app.services.identity.accounts import get_user_by_username
    from app.services.notifications import Note, notify

    ent, case_id = dereg_by_new_employer(web)
    ent.get("/lang/en")
    home = ent.html("/")
    assert "Enterprise clerk (企业经办人)" in home and "In progress (办理中)" in home
    case_page = ent.html(f"/cases/{case_id}")
    assert "In progress (办理中)" in case_page
    notifications = ent.html("/notifications")
    for text in ("Notifications", "Mark all as read", "No notifications"):
        assert text in notifications, text
    for chinese in ("消息提醒", "全部标为已读", "暂无消息"):
        assert chinese not in notifications, chinese
    with app.app_context(), unit_of_work():
        notify([get_user_by_username("ent-liuzhou")], Note(kind="task_warning", title="提醒", key="k1"))
    bell = ent.html("/").split('data-testid="bell"', 1)[1].split("</a>", 1)[0]
    assert 'aria-label="Notifications, 1 unread"' in bell
    admin = web("admin")
    admin.get("/lang/en")
    calendar = admin.html("/admin/calendar?year=2031")
    assert "System administrator (系统管理员)" in calendar
    for text in ("Working-day calendar (工作日历) · 2031", "The 2031 public holiday schedule is not confirmed yet",
                 "Confirm the 2031 schedule", "Enter a date", "Holiday (放假, a rest day)", "No entries yet"):
        assert text in calendar, text
    main = calendar.split('<main', 1)[1]
    for chinese in ("工作日历 ·", "尚未确认", "录入日期", "保存", "尚无记录", "清除（按周末规则）", "年份"):
        assert chinese not in main.replace("(工作日历)", ""), chinese
    saved = admin.post("/admin/calendar/days", {"day": "2031-01-01", "kind": "holiday", "name": "元旦"},
                       follow_redirects=True).get_data(as_text=True)
    assert "2031-01-01 updated" in saved and "Wed" in saved and "Holiday (放假)" in saved


def test_switching_language_after_a_refused_post_returns_to_the_page_of_the_form(
        web: Callable[[str], WebUser]) -> None:
    ent, case_id = dereg_by_new_employer(web)
    refused = ent.post(f"/cases/{case_id}/comments", {"comment": "  "},
                       headers={"Referer": f"http://localhost/cases/{case_id}?tab=comments"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    link = re.search(r'href="(/lang/en\?next=[^"]*)"', html).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert link == f"/lang/en?next=/cases/{case_id}?tab%3Dcomments"
    switched = ent.get(link)
    assert switched.headers["Location"] == f"/cases/{case_id}?tab=comments"
    assert ent.get(switched.headers["Location"]).status_code == 200
    # another site's referrer, or none: back home, never elsewhere
    for referer in ("https://evil.example/cases/1", "http://localhost//evil.example/x", None):
        headers = {"Referer": referer} if referer else {}
        page = ent.post(f"/cases/{case_id}/comments", {"comment": " "}, headers=headers).get_data(as_text=True)
        assert 'href="/lang/zh?next=/"' in page, referer  # the page is English by now: the switch offers 中文
    # a GET keeps the page itself, with its query
    assert 'href="/lang/zh?next=/cases?q%3D1"' in ent.html("/cases?q=1")


def test_only_admins_see_the_calendar_link_and_the_bell_is_an_svg(web: Callable[[str], WebUser]) -> None:
    admin_home = web("admin").html("/")
    assert 'href="/admin/calendar"' in admin_home and "工作日历" in admin_home
    assert 'aria-current="page"' in web("admin").html("/admin/calendar").split('href="/admin/calendar"', 1)[1][:40]
    for username in ("ent-nanning", "city-nanning", "supervisor", "province"):
        assert 'href="/admin/calendar"' not in web(username).html("/cases"), username
    bell = admin_home.split('data-testid="bell"', 1)[1].split("</a>", 1)[0]
    assert "<svg" in bell and 'aria-hidden="true"' in bell and "🔔" not in bell
    assert 'aria-label="消息提醒"' in admin_home


def test_a_request_sent_before_the_language_switch_and_answered_after_it_does_not_undo_it(
        web: Callable[[str], WebUser]) -> None:
    """A page's background request (the form editor's preview, sent as the user types) can still be running
    when the user switches language; its answer may write the session cookie as it was when it was sent. The
    language the user chose must hold all the same, on that page and after signing in again."""
    ent = web("ent-nanning")
    cookie_before_the_switch = ent.client.get_cookie("session")
    assert cookie_before_the_switch is not None
    ent.get("/lang/en")
    ent.client.set_cookie("session", cookie_before_the_switch.value)  # the browser sent the earlier cookie ...
    assert ent.get("/notifications").status_code == 200  # ... and stores what its answer sets
    home = ent.html("/")
    assert "Enterprise clerk (企业经办人)" in home and "企业经办人</" not in home.replace("(企业经办人)", "")
    assert ent.post("/logout").status_code == 302
    assert "Sign in" in ent.html("/login")  # the language outlives the session


def test_choice_labels_the_handlers_build_read_in_the_page_language(web: Callable[[str], WebUser]) -> None:
    """"陆伟（4501…）· 项目锁定中" and "（未用于投标）" were assembled Chinese the English pages could not translate."""
    ent = web("ent-nanning")
    chinese = ent.html("/cases/start/personnel_deregistration")
    assert re.search(r"陆伟（4501\*+\d{3}[0-9X]）· 项目锁定中", chinese)
    ent.get("/lang/en")
    english = ent.html("/cases/start/personnel_deregistration")
    assert re.search(r"陆伟 \(4501\*+\d{3}[0-9X]\) · locked to a project", english) and "项目锁定中" not in english
    records = ent.html("/cases/start/performance_record_edit")
    assert "(used in a bid)" in records and "已用于投标" not in records


def test_refusals_and_choice_labels_built_with_values_read_in_english(web: Callable[[str], WebUser]) -> None:
    """Texts the handlers and services built with values (an f-string) stayed Chinese on English pages: the unlock
    form's persons, the upgrade's projects, a temporary unlock past its limit, a password or a token refused."""
    ent = web("ent-nanning")
    ent.get("/lang/en")
    case_id, task_path = start(ent)
    form = ent.html(task_path)
    assert re.search(r"陆伟, Project manager \(项目经理\) · ", form) and "（项目经理）" not in form
    upgrade = ent.html("/cases/start/data_upgrade_b_to_a")
    assert re.search(r"\(\d+B\d+, currently level B\)", upgrade) and "当前B级" not in upgrade
    far = (date.today() + timedelta(days=150)).isoformat()
    refused = ent.upload_form(task_path, {"kind": "temporary", "lock_ids": lock_value(form), "reason": REASON,
                                          "temporary_end_date": far},
                              {"application_files__upload": (PDF_BYTES, "申请表.pdf"),
                               "temporary_files__upload": (PDF_BYTES, "同意书.pdf")})
    errors = field_errors(refused.get_data(as_text=True))
    assert "A temporary unlock may last at most 90 days" in errors.values(), errors
    password = ent.post("/account/password", {"current": "Demo-Passw0rd!", "password": "Ab1!", "password2": "Ab1!"})
    assert "A password has 10–128 characters" in password.get_data(as_text=True)
    tokens = ent.post("/account/tokens", {"name": "t", "days": "400", "scopes": ["read"]})
    assert "A token is valid for 1–365 days" in tokens.get_data(as_text=True)
    assert "No procedure nope" in ent.get("/cases/start/nope").get_data(as_text=True)
