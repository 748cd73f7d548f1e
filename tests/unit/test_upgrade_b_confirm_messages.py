"""The province's confirmation of a B→A upgrade offers 确认提升 and 不予提升 only: its message asks for the
reason of a refusal, not "不同意或退回时须填写理由" (there is no 退回 choice to look for)."""
from __future__ import annotations

import json
from pathlib import Path

FORMS = Path(__file__).resolve().parents[2] / "forms"


def test_the_b_confirmation_asks_for_the_reason_of_a_refusal_only() -> None:
    form = json.loads((FORMS / "upgrade_b_confirm.json").read_text("utf-8"))
    choices = [o["title"] for o in form["properties"]["decision"]["oneOf"]]
    assert not any("退回" in title for title in choices)
    comment = form["properties"]["comment"]
    assert comment["x-messages"] == {"required": "不予同意时须填写理由", "minLength": "不予同意时须填写理由"}
    assert comment["x-messages_en"] == {"required": "Give the reason for refusing",
                                        "minLength": "Give the reason for refusing"}
