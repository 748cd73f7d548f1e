"""Punctuation follows the page's language: English pages put ": ", ", " and " (…)" between their texts, where
the Chinese pages keep "：", "、" and "（…）" (QA saw "Deadline：No deadline", "Signed in as：" and
"City reviewer (市级审核人员)、Section lead (科室负责人)" on the English pages)."""
from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

from flask import Flask

from app.web.data_display import show_value
from tests.support.web import PDF_BYTES, WebUser

# A full-width mark right after English ("Deadline：", "(科室负责人)、", "(项目人员解锁)（v1）") or right before it
# ("：No deadline"); data next to data ("梁海（4501…）", "覃丽（qinli）") is not English text.
MIXED = re.compile(r"[A-Za-z)][：、；（]|[：、；][A-Za-z]")
TWO_ROLES_EN = "City reviewer (市级审核人员), Section lead (科室负责人)"
TWO_ROLES_ZH = "市级审核人员、科室负责人"


def visible(html: str) -> str:
    """The page's text as read: scripts, styles and tags left out, entities decoded."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", html))


def mixed(html: str) -> list[str]:
    """Each full-width mark next to English, with some text around it."""
    text = visible(html)
    return [text[max(m.start() - 30, 0):m.end() + 30] for m in MIXED.finditer(text)]


def header(html: str) -> str:
    return visible(html.split('data-testid="who"', 1)[1].split("</form>", 1)[0])


def test_english_pages_of_an_unlock_case_use_english_punctuation(web: Callable[[str], WebUser]) -> None:
    ent = web("ent-nanning")
    ent.get("/lang/en")
    started = ent.post("/cases/start/personnel_unlock", {})
    assert started.status_code == 302
    task_path = started.headers["Location"]
    task_page = ent.html(task_path)
    case_path = re.search(r'href="(/cases/\d+)"', task_page).group(1)  # type: ignore[union-attr]
    text = visible(task_page)
    assert "Deadline: " in text and "Assignee: " in text and "Signed in as: " in text
    lock = re.search(r'name="lock_ids" value="(\d+)"', task_page).group(1)  # type: ignore[union-attr]
    refused = ent.upload_form(task_path, {"kind": "duty_change", "lock_ids": lock, "reason": "太短"},
                              {"application_files__upload": (PDF_BYTES, "盖章申请表.pdf")})
    assert refused.status_code == 422
    refused_page = refused.get_data(as_text=True)
    assert "Keep uploaded file: 盖章申请表.pdf" in visible(refused_page)
    case_page = ent.html(case_path)
    assert re.search(r"Personnel unlock \(项目人员解锁\) \(v\d+\)", visible(case_page))
    assert "(Current step: " in visible(case_page)
    for page in (task_page, refused_page, case_page):
        assert mixed(page) == []

    ent.get("/lang/zh")  # the Chinese pages as they were
    text = visible(ent.html(task_path))
    assert "办理时限：" in text and "办理人：" in text and "当前用户：" in text
    chinese_case = visible(ent.html(case_path))
    assert re.search(r"项目人员解锁（v\d+）", chinese_case) and "（当前步骤：" in chinese_case


def test_english_headers_and_the_accounts_list_join_roles_with_commas(web: Callable[[str], WebUser]) -> None:
    city = web("city-nanning")  # a city reviewer who is also the section's lead
    city.get("/lang/en")
    inbox = city.html("/tasks")
    assert TWO_ROLES_EN in header(inbox) and mixed(inbox) == []
    admin = web("admin")
    admin.get("/lang/en")
    accounts = admin.html("/admin/accounts")
    assert TWO_ROLES_EN in visible(accounts) and mixed(accounts) == []

    city.get("/lang/zh")
    assert TWO_ROLES_ZH in header(city.html("/tasks"))
    admin.get("/lang/zh")
    assert TWO_ROLES_ZH in visible(admin.html("/admin/accounts"))


def test_a_list_in_a_case_s_data_is_joined_in_the_page_s_language(app: Flask) -> None:
    listed = {"type": "array", "title": "申请解锁的人员",
              "items": {"type": "integer", "x-choices": "unlock.locked_persons",
                        "oneOf": [{"const": 5, "title": "陆伟"}, {"const": 6, "title": "黄敏"}]}}
    with app.test_request_context(headers={"Cookie": "gjy_lang=en"}):
        assert show_value("lock_ids", [5, 6], listed, {}).text == "陆伟, 黄敏"
    with app.test_request_context():
        assert show_value("lock_ids", [5, 6], listed, {}).text == "陆伟、黄敏"
