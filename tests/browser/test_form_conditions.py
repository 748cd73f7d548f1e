"""Forms guided by their schema in chromium: conditional fields, checks before submit, 暂存, looked-up values,
a form sent once however often 提交 is clicked, a session kept alive while the user types."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from tests.browser.helpers import check_page, fill_form, sign_in, submit_task
from tests.support.web import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]

KIND_FILES = ("completion_files", "penalty_files", "temporary_files")


def _pdf(name: str) -> list[dict[str, Any]]:
    return [{"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}]


def _visible(page: Any, name: str) -> bool:
    page.wait_for_load_state()  # a click that navigates returns once the page commits, before its script ran
    return bool(page.locator(f".form-field[data-field={name}]").is_visible())


def test_unlock_kind_shows_its_uploads_flags_a_missing_one_and_keeps_a_draft(new_page: Callable[..., Any]) -> None:
    page = new_page()
    sign_in(page, "ent-nanning")
    with page.expect_navigation():  # the page loaded, its script run
        page.locator("[data-start=personnel_unlock]").click()
    task_url = page.url
    assert not any(_visible(page, name) for name in KIND_FILES)  # no kind chosen: only the common uploads
    assert not _visible(page, "temporary_end_date") and _visible(page, "application_files")

    page.locator("[data-field=kind] select").select_option("completion")
    assert _visible(page, "completion_files")
    assert not _visible(page, "penalty_files") and not _visible(page, "temporary_files")
    assert page.locator(".form-field[data-field=completion_files][data-required] legend .req-mark").count() == 2
    page.locator("[data-field=kind] select").select_option("temporary")
    assert _visible(page, "temporary_files") and _visible(page, "temporary_end_date")
    assert not _visible(page, "completion_files")
    page.locator("[data-field=kind] select").select_option("completion")

    page.locator("[data-field=lock_ids] input[type=checkbox]").first.check()
    page.get_by_label("申请理由").fill("该项目已竣工验收，申请解锁项目经理")
    page.locator("[data-field=application_files] input[type=file]").set_input_files(files=_pdf("申请表.pdf"))
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.locator("[data-action=submit]").click()
    # Flagged in the page, before anything is sent: the missing certificate, beside its field.
    assert page.locator("[data-field-error=completion_files]").inner_text() == "竣工验收解锁须上传竣工验收合格意见书"
    assert page.locator("[data-client-summary]").is_visible() and posts == []
    assert page.url == task_url
    check_page(page, "17-unlock-kind-flagged")

    # 暂存 keeps the input and the upload on the server: reopened later, the form still holds them.
    with page.expect_navigation():
        page.locator("[data-action=save]").click()
    assert "已暂存" in page.locator("main").inner_text()
    page.goto("/")
    page.goto(task_url, wait_until="load")
    assert page.get_by_label("申请理由").input_value() == "该项目已竣工验收，申请解锁项目经理"
    assert page.locator("[data-field=kind] select").input_value() == "completion"
    assert "保留已上传：申请表.pdf" in page.locator("[data-field=application_files]").inner_text()
    assert page.get_by_test_id("draft-saved").is_visible()

    page.locator("[data-field=completion_files] input[type=file]").set_input_files(files=_pdf("竣工验收.pdf"))
    with page.expect_navigation():
        page.locator("[data-action=submit]").click()
    assert re.search(r"/cases/\d+$", page.url), page.locator("[data-field-error]").all_inner_texts()
    number = page.get_by_test_id("case-number").inner_text()

    # The city's review offers only the 补正 items of a completion unlock, and only on 退回补正.
    city = new_page()
    sign_in(city, "city-nanning")
    with city.expect_navigation():
        city.locator(f"tr[data-case-number='{number}']").get_by_role("button", name="领取").click()
    assert not _visible(city, "missing_items") and not _visible(city, "reject_ground")
    city.locator("[data-field=decision] select").select_option("return")
    assert _visible(city, "missing_items")
    items = city.locator("[data-field=missing_items] label").all_inner_texts()
    assert "竣工验收合格意见书" in items and "其他证明材料" in items
    assert "行政处罚决定书" not in items and "建设单位同意临时解锁的书面意见" not in items
    city.locator("[data-action=submit]").click()
    assert city.locator("[data-field-error=missing_items]").inner_text() == "退回补正时须列明全部需补正的材料"
    assert city.locator("[data-field-error=comment]").is_visible()
    check_page(city, "18-review-return-flagged")


def test_dereg_pattern_is_checked_before_submit(new_page: Callable[..., Any]) -> None:
    page = new_page()
    sign_in(page, "ent-nanning")
    page.goto("/cases/start/personnel_deregistration", wait_until="load")
    page.locator("[data-field=mode] select").select_option("non_cooperating")
    page.locator("[data-field=person_id_number] input").fill("45010")
    page.locator("[data-field=leave_date] input").fill("2026-11-30")
    page.get_by_role("button", name="发起").click()
    assert page.locator("[data-field-error=person_id_number]").inner_text() == "请填写18位身份证号码"
    assert "/cases/start/" in page.url
    page.locator("[data-field=mode] select").select_option("employer")
    page.get_by_role("button", name="发起").click()
    assert page.locator("[data-field-error=person_id]").inner_text() == "此项为必填项"  # required on this branch


def test_performance_edit_shows_the_records_values_and_needs_no_retyping(new_page: Callable[..., Any]) -> None:
    page = new_page()
    sign_in(page, "ent-nanning")
    page.goto("/cases/start/performance_record_edit")
    record = page.locator("[data-field=record_id] select option", has_text="已用于投标").first
    page.locator("[data-field=record_id] select").select_option(record.get_attribute("value"))
    with page.expect_navigation():
        page.get_by_role("button", name="发起").click()
    assert "/tasks/" in page.url, page.locator("main").inner_text()[:400]
    page.locator("[name='changes.0.field']").select_option("contract_amount")
    old = page.locator("[name='changes.0.old_value']")
    assert old.input_value() == "3200.00" and old.get_attribute("readonly") is not None
    page.locator("[name='changes.0.new_value']").fill("3250.00")
    check_page(page, "19-perf-edit-current-values")
    submit_task(page, "合同金额录入有误，按合同更正")
    assert "3200.00" in page.locator("main").inner_text()  # the case shows old → new, 原值 as recorded


def test_a_second_click_on_submit_sends_nothing_more(new_page: Callable[..., Any]) -> None:
    """提交 clicked again while the answer is on its way (a double-click): the form is sent once and the user
    lands on their case; sent twice, the second copy was answered with an error page (the task was done)."""
    page = new_page()
    sign_in(page, "ent-nanning")
    page.locator("[data-start=personnel_unlock]").click()
    page.wait_for_load_state()
    task_url = page.url
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" and r.url == task_url else None)
    fill_form(page, "项目经理因工作调整需要履职变更")
    page.evaluate("() => { const b = document.querySelector('[data-action=submit]'); b.click(); "
                  "setTimeout(() => b.click(), 60); }")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    page.wait_for_load_state()
    assert len(sent) == 1
    assert "已提交办理" in page.locator(".alert").first.inner_text()


def test_typing_keeps_the_session_alive_and_an_ended_one_is_said(new_page: Callable[..., Any], app: Flask) -> None:
    """The idle timeout counts requests: typing into a form for longer than it no longer ends the session (the
    form was refused at 提交 and the text lost); a page left idle past it says so as soon as the user types."""
    page = new_page()
    sign_in(page, "ent-nanning")
    app.permanent_session_lifetime = timedelta(seconds=4)  # renewed every second while the user types
    page.locator("[data-start=personnel_unlock]").click()
    page.wait_for_load_state()
    fill_form(page, "项目经理因工作调整需要履职变更")
    reason = page.get_by_label("申请理由")
    for _second in range(7):  # typing for seven seconds, the timeout being four
        reason.press("End")
        page.keyboard.type("。")
        page.wait_for_timeout(1000)
    page.locator("[data-action=submit]").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    assert "已提交办理" in page.locator(".alert").first.inner_text()
    # left idle past the timeout, the page says that the session ended as soon as the user types
    comment = page.locator("form[action$='/comments'] textarea")
    page.wait_for_timeout(5500)
    comment.fill("补充说明")
    note = page.get_by_test_id("session-ended")
    note.wait_for()
    assert "登录已超时" in note.inner_text()
    assert comment.input_value() == "补充说明"  # still there to copy


def test_files_past_the_upload_limits_are_said_before_anything_is_sent(new_page: Callable[..., Any], app: Flask,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Files each under the limit but together past the request's: the server refuses the body unread (413)
    and the page's input went with it. The page now says which limit before sending, keeping the input."""
    mib = 1024 * 1024
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", mib)
    monkeypatch.setitem(app.config, "MAX_UPLOADS_TOTAL_BYTES", 2 * mib)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 3 * mib)
    page = new_page()
    sign_in(page, "ent-nanning")
    with page.expect_navigation():
        page.locator("[data-start=personnel_unlock]").click()
    fill_form(page, "项目经理因工作调整需要履职变更")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    files = page.locator("[data-field=application_files] input[type=file]")

    def pdfs(*sizes: int) -> list[dict[str, Any]]:
        return [{"name": f"扫描件{i}.pdf", "mimeType": "application/pdf",
                 "buffer": PDF_BYTES + b"0" * (size - len(PDF_BYTES))} for i, size in enumerate(sizes)]

    files.set_input_files(files=pdfs(mib + 1))  # one file past the limit
    page.locator("[data-action=submit]").click()
    assert page.locator("[data-field-error=application_files]").inner_text() == "附件超过大小限制（最大 1 MB）"
    files.set_input_files(files=pdfs(900_000, 900_000, 900_000))  # each allowed, together past 2 MB
    page.get_by_role("button", name="暂存").click()
    summary = page.locator("[data-client-summary]")
    assert "合计超过 2 MB" in summary.inner_text() and posts == []
    assert page.get_by_label("申请理由").input_value() == "项目经理因工作调整需要履职变更"
    files.set_input_files(files=pdfs(900_000, 900_000))
    page.locator("[data-action=submit]").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    assert len(posts) == 1 and "已提交办理" in page.locator(".alert").first.inner_text()
