"""The audit page, newest first, pages by the cut of its first page: each search writes its own entry
(audit.searched), which would push the rows read on page 1 down onto page 2 (shown twice there); the page's links
carry the newest entry the first page counted (`up_to`, as the API), a new search takes a new cut."""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from app.db import unit_of_work
from app.services.audit import record
from tests.support.web import WebUser

ROW = re.compile(r"<tr><td>.*?</tr>", re.DOTALL)


def _rows(page: str) -> list[str]:
    body = page.split('data-testid="audit-entries"')[1].split("</tbody>")[0].split("<tbody>")[1]
    return ROW.findall(body)


def _next_page(page: str) -> str:
    links = re.findall(r'<a class="page-link" href="([^"#]+)"[^>]*>[^<]*</a></li>\s*</ul>', page)
    assert links, "page 1 links to the next"
    return links[-1].replace("&amp;", "&")


def test_page_two_of_the_audit_log_follows_page_one_without_repeating_a_row(
        app: Flask, web: Callable[[str], WebUser]) -> None:
    with app.app_context(), unit_of_work():
        for number in range(120):  # more than two pages of 50
            record(None, "test.filler", "test", number)
    auditor = web("auditor")
    first = auditor.html("/audit")
    second_url = _next_page(first)
    assert "page=2" in second_url and "up_to=" in second_url, second_url
    for _ in range(3):  # others (and these searches) write entries meanwhile
        auditor.html("/audit?action=sign_in")
    second = auditor.html(second_url)
    one, two = _rows(first), _rows(second)
    assert len(one) == len(two) == 50
    assert not set(one) & set(two), [row for row in two if row in one][:2]
    both = _rows(auditor.html(second_url.replace("page=2", "page=1")))
    assert both == one  # page 1 of the same cut: the rows the first page showed, nothing written since
    assert "up_to=" not in auditor.html("/audit").split('data-testid="audit-export"')[0].rsplit("<a", 1)[1]
