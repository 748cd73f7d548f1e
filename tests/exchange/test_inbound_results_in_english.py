"""The results of received messages on the admin's 数据交换 page read in the page's language: stored in Chinese
(the API answers them as they are), read back into their templates (services/exchange/results.py) and shown in
English on the English pages, with the names they hold."""
from __future__ import annotations

import html
import re

from flask import Flask

from tests.exchange.test_inbound import FREE, LOCKED, change, envelope, send
from tests.support.web import WebUser, notice_item


def _results(page: str) -> list[str]:
    table = page.split('data-testid="exchange-inbound"', 1)[1]
    return [html.unescape(cell) for cell in re.findall(r'<td class="text-break small">([^<]*)</td>', table)]


def test_inbound_results_read_in_english_on_the_english_pages(inbound_app: Flask, client: object) -> None:
    refused = send(client, "approval_system", envelope("certificate_change", change(LOCKED)))
    applied = send(client, "approval_system", envelope("certificate_change", change(FREE)))
    assert refused.json["status"] == "rejected" and applied.json["status"] == "applied"
    assert refused.json["message"].startswith("陆伟为在建项目「南宁市民服务中心工程」（")
    assert refused.json["message"].endswith("）的项目经理，处于锁定状态，单位变更未予办理；请先申请项目人员解锁")
    assert applied.json["message"] == "梁海的单位变更为柳州龙城建筑工程有限公司"
    admin = WebUser(inbound_app, "admin").login()
    chinese = _results(admin.html("/admin/exchange/inbound"))
    assert chinese[:2] == [applied.json["message"], refused.json["message"]]
    admin.get("/lang/en")
    english = _results(admin.html("/admin/exchange/inbound"))
    code = refused.json["message"].split("」（", 1)[1].split("）", 1)[0]
    assert english[:2] == [
        "梁海's employer changed to 柳州龙城建筑工程有限公司",
        f"Change of employer not applied: 陆伟 is the Project manager (项目经理) of the project in progress "
        f"“南宁市民服务中心工程” ({code}) and is locked; apply for personnel unlock first"]


def test_the_refusal_reported_to_the_admin_reads_in_english(inbound_app: Flask, client: object) -> None:
    refused = send(client, "approval_system", envelope("certificate_change", change(LOCKED, "deregistration")))
    assert refused.json["code"] == "person_locked" and "注销未予办理" in refused.json["message"]
    admin = WebUser(inbound_app, "admin").login()
    admin.get("/lang/en")
    notice = html.unescape(notice_item(admin.html("/notifications"), "exchange_refused"))
    assert "Data exchange: a personnel change was not applied" in notice
    assert "Deregistration not applied: 陆伟 is the Project manager (项目经理)" in notice and "未予办理" not in notice
