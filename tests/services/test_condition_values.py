"""A gateway condition comparing a form field with a value its form never offers is refused at deploy (and in the
workspace's dry run): `decision == "approved"` where the review form offers approve / reject used to deploy, and
every approval then took the default branch."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from app.engine import build_bundles
from app.errors import DeployError
from app.services.procedures.bundles import read_bundle_input
from tests.api.test_procedure_api import _deploy, _versions
from tests.engine.bundles import FUNCTIONS, bundle_input
from tests.support import procedures as review_support  # noqa: F401  (registers test.register_outcome)
from tests.support.procedure_files import ROOT, replace, shipped_files
from tests.support.translations import english_catalogue

PERFORMANCE = "performance_record_edit"
APPROVE = 'decision == "approve"'


def _shipped(key: str, edit: Callable[[str], str]) -> list[dict[str, str | None]]:
    """The problems of deploying the shipped diagrams with `key`'s diagram passed through `edit` (none: [])."""
    inp = read_bundle_input(ROOT / "bpmn", ROOT / "forms")
    inp.bpmn = {f"{key}.bpmn": edit(inp.bpmn[f"{key}.bpmn"].decode("utf-8")).encode("utf-8")}
    try:
        build_bundles(inp)
    except DeployError as refused:
        return refused.problems
    return []


@pytest.mark.parametrize("condition, value", [
    ('decision == "approved"', "approved"),
    ('"approved" == decision', "approved"),
    ('decision != "approved"', "approved"),
    ('decision in ("approve", "agreed")', "agreed"),
    ('decision not in ["reject", "refused"]', "refused"),
    ('decision == "approve" and original_contract or decision == "ok"', "ok"),
])
def test_a_value_the_form_never_offers_is_refused_naming_the_flow_and_the_choices(
        condition: str, value: str, app: Flask) -> None:
    with app.app_context():
        problems = _shipped(PERFORMANCE, replace(APPROVE, condition))
    assert [(p["file"], p["element"]) for p in problems] == [(f"{PERFORMANCE}.bpmn", "f_approve")], problems
    assert problems[0]["problem"] == f"连线“同意”的条件比较的值“{value}”不是字段 decision 的可选值（approve、reject）"


def test_the_chinese_title_of_a_choice_is_refused_saying_which_value_it_names(app: Flask) -> None:
    with app.app_context():
        problems = _shipped(PERFORMANCE, replace(APPROVE, 'decision == "同意修改"'))
    assert [p["element"] for p in problems] == ["f_approve"], problems
    assert "“同意修改”是可选值 approve 的名称" in str(problems[0]["problem"]), problems


@pytest.mark.parametrize("condition", ['decision == "approve"', 'decision != "reject"',
                                       'decision in ("approve",)', 'decision not in ["reject"]',
                                       'decision == None', 'decision == "approve" and comment != "无"'])
def test_a_value_the_form_offers_deploys(condition: str, app: Flask) -> None:
    with app.app_context():
        assert _shipped(PERFORMANCE, replace(APPROVE, condition)) == []


def test_every_shipped_procedure_deploys(app: Flask) -> None:
    with app.app_context():
        bundles = build_bundles(read_bundle_input(ROOT / "bpmn", ROOT / "forms"))
    assert len(bundles) >= 10


def test_the_values_are_those_of_the_forms_filled_before_the_flow(app: Flask) -> None:
    """data_upgrade_c_to_a: the province's confirmation offers `return`, the city's review before it does not: the
    flow after the confirmation may test it (the shipped diagram does), the one after the city's review may not."""
    with app.app_context():
        problems = _shipped("data_upgrade_c_to_a", replace(APPROVE, 'decision == "return"'))  # the first: fc_approve
    assert [p["element"] for p in problems] == ["fc_approve"], problems
    assert "（approve、reject）" in str(problems[0]["problem"])


def test_a_field_a_script_also_writes_is_not_checked() -> None:
    edit = replace("round_no = 0", 'round_no = 0\ndecision = "pending"')
    condition = replace(APPROVE, 'decision == "pending"')
    assert build_bundles(bundle_input(lambda text: condition(edit(text)), script_functions=FUNCTIONS))
    with pytest.raises(DeployError) as refused:
        build_bundles(bundle_input(condition, script_functions=FUNCTIONS))
    assert [p["element"] for p in refused.value.problems] == ["f_ok"]
    assert "（approve、reject）" in str(refused.value.problems[0]["problem"])


def test_a_field_without_fixed_choices_is_not_checked() -> None:
    """review_submit's title is free text: any value may be compared."""
    assert build_bundles(bundle_input(replace(APPROVE, 'decision == "approve" and title != "无"'),
                                      script_functions=FUNCTIONS))


def test_the_dry_run_and_the_deploy_refuse_it_and_store_nothing(as_user: Any, app: Flask) -> None:
    analyst = as_user("analyst")
    files = shipped_files(PERFORMANCE, replace(APPROVE, 'decision == "approved"'))
    dry = _deploy(analyst, PERFORMANCE, files, dry_run=True)
    assert dry.status_code == 200
    assert [(p["file"], p["element"]) for p in dry.json["problems"]] == [(f"bpmn/{PERFORMANCE}.bpmn", "f_approve")]
    refused = _deploy(analyst, PERFORMANCE, files)
    assert refused.status_code == 422 and refused.json["details"]["problems"] == dry.json["problems"]
    before = _versions(app, PERFORMANCE)
    assert _deploy(analyst, PERFORMANCE, files).status_code == 422 and _versions(app, PERFORMANCE) == before


def test_the_refusals_have_their_english() -> None:
    catalogue = english_catalogue()
    for template in ("{what}比较的值“{value}”不是字段 {field} 的可选值（{allowed}）",
                     "{what}比较的值“{value}”不是字段 {field} 的可选值（{allowed}）：“{value}”是可选值 {const} 的名称，"
                     "条件须比较可选值本身"):
        message = catalogue.get(template)
        assert message is not None and message.string and "{allowed}" in message.string, template
