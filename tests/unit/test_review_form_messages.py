"""A review form's message asks for the reason of the choices the form offers: the city's review of a C→A
upgrade offers 同意 and 不予同意, the province's confirmation of a B→A upgrade 确认提升 and 不予提升 (a return is
the province's, on upgrade_c_confirm), so their messages no longer say "不同意或退回时须填写理由" (a reviewer looked
for a 退回 choice that is not there)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

FORMS = Path(__file__).resolve().parents[2] / "forms"


@pytest.mark.parametrize("form_key", ["upgrade_c_city_review", "upgrade_b_confirm"])
def test_a_review_without_return_asks_for_the_reason_of_a_refusal_only(form_key: str) -> None:
    form = json.loads((FORMS / f"{form_key}.json").read_text("utf-8"))
    choices = [o["title"] for o in form["properties"]["decision"]["oneOf"]]
    assert not any("退回" in title for title in choices)
    comment = form["properties"]["comment"]
    assert comment["x-messages"] == {"required": "不予同意时须填写理由", "minLength": "不予同意时须填写理由"}
    assert comment["x-messages_en"] == {"required": "Give the reason for refusing",
                                        "minLength": "Give the reason for refusing"}
