"""Registration's refusals built from values (the tries left, the verifier's reason) read in English on English
pages: built as f-strings they were Chinese texts no catalogue entry matched."""
from __future__ import annotations

import re
from typing import Any

from flask import Flask

from app.integrations.standin import StandIn
from app.services.demo import credit_code, id_number
from tests.support.web import csrf_token

NEW_CODE = credit_code("91450300MA5NEW002")
LEGAL_ID = id_number("45030219700101124")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _post(client: Any, path: str, data: dict[str, Any]) -> Any:
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _alerts(html: str) -> str:
    return " ".join(re.findall(r'role="alert">([^<]*)<', html))


def _english_client(app: Flask) -> Any:
    client = app.test_client()
    client.get("/lang/en")
    return client


def _enterprise_form(method: str, **extra: str) -> dict[str, str]:
    return {"credit_code": NEW_CODE, "name": "桂林漓江建设有限公司", "enterprise_type": "建筑业企业",
            "region_code": "450300", "legal_representative": "蒋立", "legal_representative_id": LEGAL_ID,
            "method": method, **extra}


def test_a_wrong_micro_payment_amount_is_refused_in_english(app: Flask, standin: StandIn) -> None:
    client = _english_client(app)
    started = _post(client, "/register/enterprise", _enterprise_form("bank_transfer", bank_account="6222020000124"))
    assert started.headers["Location"].endswith("/register/enterprise/amount")
    wrong = _post(client, "/register/enterprise/amount", {"amount": "0.99"})
    said = _alerts(wrong.get_data(as_text=True))
    assert wrong.status_code == 422
    assert "The amount does not match the transfer; tries left: 2" in said and not CHINESE.search(said), said
    said = _alerts(_post(client, "/register/enterprise/amount", {"amount": "0.98"}).get_data(as_text=True))
    assert "tries left: 1" in said, said
    chinese = app.test_client()  # the same refusal on a Chinese page, with its number
    _post(chinese, "/register/enterprise", _enterprise_form("bank_transfer", bank_account="6222020000125"))
    assert "打款金额不符，还可尝试 2 次" in _alerts(_post(chinese, "/register/enterprise/amount",
                                                        {"amount": "0.99"}).get_data(as_text=True))


def test_the_verifiers_refusals_are_in_english(app: Flask, standin: StandIn) -> None:
    standin.mode = "fail"
    refused = _post(_english_client(app), "/register/enterprise", _enterprise_form("face"))
    said = _alerts(refused.get_data(as_text=True))
    assert refused.status_code == 422
    assert "Identity verification failed: Verification failed (simulated)" in said and not CHINESE.search(said), said
    form = {"name": "韦明", "id_number": id_number("45010219950505015"), "phone": "13977110009",
            "username": "weiming-en", "password": "Qiye-Passw0rd-1", "password2": "Qiye-Passw0rd-1"}
    page = _post(_english_client(app), "/register/individual", form).get_data(as_text=True)
    said = _alerts(page)
    assert "Real-name check failed: Verification failed (simulated)" in said and not CHINESE.search(said), said
    chinese = _post(app.test_client(), "/register/individual", form).get_data(as_text=True)
    assert "实名核验未通过：核验未通过（模拟）" in chinese
