"""Pages through the Flask test client: the unlock flow, server-side validation, jurisdiction, CSRF."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from freezegun import freeze_time
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, CaseEvent
from tests.support.api import ApiUser
from tests.support.deadlines import local
from tests.support.web import PDF_BYTES, WebUser

REASON = "项目经理因工作调整需要履职变更"


def field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-field-error="([^"]+)">([^<]+)<', html))


def start(ent: WebUser) -> tuple[int, str]:
    """Start an unlock case from the home page's button; (case id, the applicant's task path)."""
    response = ent.post("/cases/start/personnel_unlock")
    assert response.status_code == 302
    task_path = response.headers["Location"]
    html = ent.html(task_path)
    case_id = int(re.search(r'href="/cases/(\d+)"', html).group(1))  # type: ignore[union-attr]
    return case_id, task_path


def lock_value(html: str) -> str:
    return re.search(r'name="lock_ids" value="(\d+)"', html).group(1)  # type: ignore[union-attr]


def submit_request(ent: WebUser, task_path: str, reason: str = REASON, keep: str | None = None) -> Any:
    data = {"kind": "duty_change", "lock_ids": lock_value(ent.html(task_path)), "reason": reason}
    if keep:
        data["application_files"] = keep
        return ent.post(task_path, data)
    return ent.upload_form(task_path, data, {"application_files__upload": (PDF_BYTES, "申请表.pdf")})


def started_and_submitted(web: Callable[[str], WebUser]) -> tuple[WebUser, int, str]:
    ent = web("ent-nanning")
    case_id, task_path = start(ent)
    response = submit_request(ent, task_path)
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    return ent, case_id, task_path


def review_path(city: WebUser, number: str) -> str:
    html = city.html(f"/tasks?tab=claimable&q={number}")
    return re.search(r'action="(/tasks/[0-9a-f-]+)/claim"', html).group(1)  # type: ignore[union-attr]


def case_number(user: WebUser, case_id: int) -> str:
    return re.search(r'data-testid="case-number">([^<]+)<', user.html(f"/cases/{case_id}")).group(1)  # type: ignore


def test_header_shows_organisation_role_and_region(web: Callable[[str], WebUser]) -> None:
    home = web("ent-nanning").html("/")
    for text in ("邕城建设·经办人", "广西邕城建设集团有限公司", "企业经办人", "南宁市", "项目人员解锁"):
        assert text in home
    city = web("city-nanning")
    assert city.get("/").headers["Location"].endswith("/tasks")
    inbox = city.html("/tasks")
    assert "南宁市住房和城乡建设局" in inbox and "科室负责人" in inbox and "待领取" in inbox


def test_invalid_submission_shows_errors_beside_fields_and_keeps_input(web: Callable[[str], WebUser]) -> None:
    ent = web("ent-nanning")
    _case_id, task_path = start(ent)
    lock = lock_value(ent.html(task_path))
    response = ent.upload_form(task_path, {"kind": "duty_change", "lock_ids": lock, "reason": "太短"},
                               {"application_files__upload": (PDF_BYTES, "盖章申请表.pdf")})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_errors(html) == {"reason": "至少填写 5 个字符"}
    assert ">太短</textarea>" in html
    assert '<option value="duty_change" selected>' in html
    assert f'name="lock_ids" value="{lock}" checked' in html
    assert "保留已上传：盖章申请表.pdf" in html  # the upload is kept for the next try
    empty = ent.post(task_path, {"reason": "理由写得足够长了"})
    errors = field_errors(empty.get_data(as_text=True))
    assert empty.status_code == 422 and errors["kind"] == "此项为必填项"
    assert errors["lock_ids"] == "请至少选择一名锁定人员" and "application_files" in errors


def test_field_errors_follow_the_page_language(web: Callable[[str], WebUser],
                                               as_user: Callable[[str], ApiUser]) -> None:
    ent = web("ent-nanning")
    _case_id, task_path = start(ent)
    ent.get("/lang/en")
    response = ent.post(task_path, {"lock_ids": lock_value(ent.html(task_path)), "reason": "太短"})
    errors = field_errors(response.get_data(as_text=True))
    assert response.status_code == 422
    assert errors["reason"] == "Enter at least 5 characters" and errors["kind"] == "This field is required"
    assert errors["application_files"] == "Upload the scanned unlock application form (解锁申请表)"  # the form's own
    task_id = task_path.rsplit("/", 1)[1]
    api = as_user("ent-nanning").post(f"/api/v1/tasks/{task_id}/complete", {"data": {"reason": "太短"}})
    assert api.status_code == 422 and api.json["details"]["fields"]["reason"] == "至少填写 5 个字符"


def test_refused_upload_is_reported_beside_its_field(web: Callable[[str], WebUser]) -> None:
    ent = web("ent-nanning")
    _case_id, task_path = start(ent)
    lock = lock_value(ent.html(task_path))
    response = ent.upload_form(task_path, {"kind": "duty_change", "lock_ids": lock, "reason": REASON},
                               {"application_files__upload": (b"MZ\x90", "x.exe")})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {"application_files": "仅支持 PDF、JPG、PNG 格式的附件"}
    # 一次性告知 on the page too: a refused file does not hide the form's other errors.
    response = ent.upload_form(task_path, {"kind": "temporary", "lock_ids": lock, "reason": "太短"},
                               {"application_files__upload": (b"MZ\x90", "x.exe")})
    errors = field_errors(response.get_data(as_text=True))
    assert errors["application_files"] == "仅支持 PDF、JPG、PNG 格式的附件" and errors["reason"] == "至少填写 5 个字符"


def test_reject_amend_and_approve_through_pages(web: Callable[[str], WebUser]) -> None:
    ent, case_id, _ = started_and_submitted(web)
    city = web("city-nanning")
    number = case_number(ent, case_id)
    inbox = city.html("/tasks")
    assert f'data-case-number="{number}"' in inbox and 'data-count="claimable">1<' in inbox
    review = review_path(city, number)
    assert city.post(review + "/claim").status_code == 302
    refused = city.post(review, {"decision": "reject"})
    assert field_errors(refused.get_data(as_text=True)) == {"comment": "不同意或退回时须填写审核意见",
                                                           "reject_ground": "不予解锁时须选择不予解锁依据"}
    assert city.post(review, {"decision": "reject", "comment": "缺少监理单位盖章",
                              "reject_ground": "materials_deficient",
                              "deficient_materials": "application_files"}).status_code == 302
    home = ent.html("/")
    amend = re.search(r'href="(/tasks/[0-9a-f-]+)">办理', home).group(1)  # type: ignore[union-attr]
    page = ent.html(amend)
    assert "缺少监理单位盖章" in page and REASON in page
    kept = re.search(r'name="application_files" value="([0-9a-f-]+)" checked', page).group(1)  # type: ignore
    assert submit_request(ent, amend, "已补充监理单位盖章", keep=kept).status_code == 302
    review = review_path(city, number)
    city.post(review + "/claim")
    assert city.post(review, {"decision": "approve"}).status_code == 302
    case_page = ent.html(f"/cases/{case_id}")
    assert 'data-status="completed"' in case_page and "缺少监理单位盖章" in case_page
    assert '"completed": [' in case_page.replace('"completed":[', '"completed": [')
    done = city.html("/tasks?tab=done")
    assert f'data-case-number="{number}"' in done and 'data-count="done">2<' in done


def test_other_region_sees_no_trace_of_the_case(web: Callable[[str], WebUser]) -> None:
    ent, case_id, _ = started_and_submitted(web)
    number = case_number(ent, case_id)
    review = review_path(web("city-nanning"), number)
    attachment = re.search(r'data-attachment="([0-9a-f-]+)"', ent.html(f"/cases/{case_id}")).group(1)  # type: ignore
    other = web("city-liuzhou")
    row = f'data-case-number="{number}"'
    for tab in ("claimable", "mine", "done"):
        assert row not in other.html(f"/tasks?tab={tab}") + other.html(f"/tasks?tab={tab}&q={number}")
    assert row not in other.html(f"/cases?number={number}") and "没有符合条件的办件" in other.html("/cases")
    assert other.get(f"/cases/{case_id}").status_code == 404
    assert other.get(review).status_code == 404
    assert other.get(f"/cases/{case_id}/attachments/{attachment}").status_code == 404
    assert other.post(review + "/claim").status_code == 404
    assert other.post(f"/cases/{case_id}/comments", {"comment": "看看"}).status_code == 404
    assert web("ent-liuzhou").get(f"/cases/{case_id}").status_code == 404


def test_forms_without_csrf_token_are_refused(web: Callable[[str], WebUser]) -> None:
    ent, case_id, _ = started_and_submitted(web)
    review = review_path(web("city-nanning"), case_number(ent, case_id))
    city = web("city-nanning")
    refused = ent.post("/cases/start/personnel_unlock", csrf=False)
    assert refused.status_code == 400 and "表单令牌无效" in refused.get_data(as_text=True)
    assert ent.post(f"/cases/{case_id}/comments", {"comment": "无令牌"}, csrf=False).status_code == 400
    assert city.post(review + "/claim", csrf=False).status_code == 400
    assert city.post(review, {"decision": "approve"}, csrf=False).status_code == 400
    assert ent.post("/logout", csrf=False).status_code == 400
    assert "无令牌" not in ent.html(f"/cases/{case_id}")


def test_comments_are_shown_to_everyone_who_sees_the_case(web: Callable[[str], WebUser]) -> None:
    ent, case_id, _ = started_and_submitted(web)
    empty = ent.post(f"/cases/{case_id}/comments", {"comment": "   "})
    assert empty.status_code == 422 and "请填写评论内容" in empty.get_data(as_text=True)
    assert ent.post(f"/cases/{case_id}/comments", {"comment": "材料原件已寄出"}).status_code == 302
    assert "材料原件已寄出" in web("city-nanning").html(f"/cases/{case_id}")
    ent.get("/lang/en")
    overlong = ent.post(f"/cases/{case_id}/comments", {"comment": "长" * 1001})
    assert overlong.status_code == 422
    assert "A comment has at most 1000 characters" in overlong.get_data(as_text=True)


def test_lead_assigns_and_attachments_download(web: Callable[[str], WebUser]) -> None:
    ent, case_id, _ = started_and_submitted(web)
    city = web("city-nanning")
    review = review_path(city, case_number(ent, case_id))
    page = city.html(review)
    user_id = re.search(r'<option value="(\d+)"[^>]*>南宁市住建局·审核员', page).group(1)  # type: ignore[union-attr]
    assert city.post(review + "/assign", {"user_id": user_id}).status_code == 302
    assert 'data-testid="task-form"' in city.html(review)
    timeline = city.html(f"/cases/{case_id}").split('data-testid="timeline"')[1]
    assert "分派给 南宁市住建局·审核员" in timeline and "分派给 city-nanning" not in timeline  # by name
    attachment = re.search(r'data-attachment="([0-9a-f-]+)"', city.html(f"/cases/{case_id}")).group(1)  # type: ignore
    download = city.get(f"/cases/{case_id}/attachments/{attachment}")
    assert download.status_code == 200 and download.data == PDF_BYTES


def test_pages_switch_to_english(web: Callable[[str], WebUser]) -> None:
    started_and_submitted(web)
    city = web("city-nanning")
    assert city.get("/lang/en?next=/tasks").headers["Location"] == "/tasks"
    html = city.html("/tasks")
    assert '<html lang="en">' in html and "Claimable (待领取)" in html and "Sign out" in html
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example/", "/%5C%5Cevil.example"):
        assert city.get(f"/lang/zh?next={elsewhere}").headers["Location"] == "/", elsewhere
    assert "退出" in city.html("/tasks")
    city.get("/lang/en")
    assert "Task claimed" in city.client.post(review_path(city, "") + "/claim", data={"csrf_token": city.token},
                                              follow_redirects=True).get_data(as_text=True)


def test_inbox_filters_search_and_sort(web: Callable[[str], WebUser]) -> None:
    ent, case_id, _ = started_and_submitted(web)
    number = case_number(ent, case_id)
    city = web("city-nanning")
    row = f'data-case-number="{number}"'
    found = ["q=广西邕城", "q=91450100MA5KAB123", "q=陆伟", f"q={number.lower()}", "region=450100",
             "procedure=personnel_unlock", "sort=-due", "sort=-received", "from=2000-01-01"]
    for query in found:
        assert row in city.html(f"/tasks?tab=claimable&{query}"), query
    hidden = ["q=柳州龙城", "region=450102", "deadline=overdue", "procedure=data_upgrade_b_to_a",
              "to=2000-01-01", "from=2999-01-01"]
    for query in hidden:
        html = city.html(f"/tasks?tab=claimable&{query}")
        assert row not in html and 'data-count="claimable">0<' in html, query
    assert 'data-count="claimable">1<' in city.html("/tasks?tab=mine&from=bad-date&page=x")


def test_start_pages_of_procedures_with_a_start_form(web: Callable[[str], WebUser]) -> None:
    ent = web("ent-nanning")
    home = ent.html("/")
    starts = re.findall(r'href="(/cases/start/[a-z_]+)"', home)
    for path in starts:
        page = ent.html(path)
        assert 'data-widget=' in page
        refused = ent.post(path, {})
        assert refused.status_code == 422 and field_errors(refused.get_data(as_text=True)), path


def test_signed_in_user_skips_the_login_page_and_limits_read_in_words(web: Callable[[str], WebUser], app: Any) -> None:
    assert web("ent-nanning").get("/login").headers["Location"] == "/"
    from app.web.presenters import limit_text, time_left

    with app.test_request_context():
        assert limit_text("3 working days") == "3 个工作日" and limit_text("PT4H") == "PT4H"
        assert time_left(None) == "无时限"


def test_the_header_bell_counts_unread_notifications(web: Callable[[str], WebUser], app: Any) -> None:
    from app.db import unit_of_work
    from app.services.identity.accounts import get_user_by_username
    from app.services.notifications import Note, notify

    city = web("city-nanning")
    assert 'data-count="unread"' not in city.html("/tasks")
    with app.app_context(), unit_of_work():
        reviewer = get_user_by_username("city-nanning")
        notify([reviewer], Note(kind="task_warning", title="审核解锁申请即将到期", key="t1"))
        notify([reviewer], Note(kind="task_overdue", title="审核解锁申请已超期", key="t2"))
    bell = city.html("/tasks").split('data-testid="bell"', 1)[1].split("</a>", 1)[0]
    assert 'data-count="unread">2<' in bell and "2 条未读" in bell
    assert 'data-count="unread"' not in web("city-liuzhou").html("/tasks")


def test_unknown_pages_and_wrong_methods_answer_in_the_page_language(web: Callable[[str], WebUser]) -> None:
    ent = web("ent-nanning")
    missing = ent.get("/no-such-page")
    html = missing.get_data(as_text=True)
    assert missing.status_code == 404 and '<html lang="zh-CN">' in html
    assert "未找到请求的页面或资源" in html and "返回首页" in html and "Not Found" not in html
    wrong = ent.client.delete("/cases")
    assert wrong.status_code == 405 and "不支持该请求方法" in wrong.get_data(as_text=True)
    ent.get("/lang/en")
    english = ent.get("/no-such-page").get_data(as_text=True)
    assert "The page or item you asked for was not found" in english and "Back to home" in english
    assert "Case not found" in ent.get("/cases/999999").get_data(as_text=True)  # a service's refusal, translated
    api = ent.client.get("/api/v1/no-such-thing")  # the API keeps its JSON error shape
    assert api.status_code == 404 and api.json == {"code": "not_found", "message": "未找到请求的页面或资源",
                                                   "message_en": "The page or item you asked for was not found",
                                                   "details": {}}


def test_a_task_form_sent_twice_counts_once_and_leads_to_the_case(web: Callable[[str], WebUser], app: Any) -> None:
    """The same form sent again once the first copy completed the task (a double-click on 提交, a slow answer):
    it leads to the case with a notice, not to the error page 该任务已办结或已取消, and stores no second file."""
    ent = web("ent-nanning")
    case_id, task_path = start(ent)
    data = {"kind": "duty_change", "lock_ids": lock_value(ent.html(task_path)), "reason": REASON}
    files = {"application_files__upload": (PDF_BYTES, "申请表.pdf")}
    sent = ent.upload_form(task_path, data, files)
    again = ent.upload_form(task_path, data, files)  # the same form, sent again
    assert sent.status_code == 302 and sent.headers["Location"] == f"/cases/{case_id}"
    assert again.status_code == 302 and again.headers["Location"] == f"/cases/{case_id}"
    assert "该任务已提交，无需重复提交" in ent.html(f"/cases/{case_id}")
    with app.app_context():
        kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case_id)).all()
        stored = db.session.scalar(select(func.count(Attachment.id)).where(Attachment.case_id == case_id))
    assert kinds.count("task_completed") == 1 and stored == 1
    # a colleague's form for a task done by someone else is still refused
    city = web("city-nanning")
    refused = city.post(task_path, {"kind": "duty_change", "reason": "代为提交的申请理由"})
    assert refused.status_code in (403, 404, 409) and "该任务已提交" not in refused.get_data(as_text=True)


def test_the_received_date_filter_counts_beijing_days(web: Callable[[str], WebUser], app: Any) -> None:
    """A task received at 07:00 Beijing time (23:00 UTC the day before) is in that Beijing day: on SQLite the
    bounds lost their offset and the filter was eight hours off (found under the day before)."""
    with freeze_time(local("2026-12-07 07:00")):
        ent, case_id, _ = started_and_submitted(web)
        number = case_number(ent, case_id)
    city = web("city-nanning")
    assert number in city.html("/tasks?tab=claimable&from=2026-12-07&to=2026-12-07")
    assert number not in city.html("/tasks?tab=claimable&from=2026-12-06&to=2026-12-06")
