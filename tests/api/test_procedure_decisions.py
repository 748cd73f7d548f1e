"""Decision tables: a DMN file deployed with a procedure version, a business rule task running it (the amount
decides whether the city reviews), the tables checked at deploy and returned with the version's files."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.api.test_procedure_api import BASE, _deploy, _versions
from tests.support import procedures as review_support  # noqa: F401  (registers test.register_outcome)
from tests.support.api import ApiUser
from tests.support.procedure_files import decision_files, replace

KEY = "graded_review"
TABLE = "bpmn/review_level.dmn"


def _submit(ent: ApiUser, amount: int) -> dict[str, Any]:
    case = ent.start(KEY).json
    done = ent.complete(case["open_tasks"][0]["id"], {"title": "钢筋检验报告", "amount": amount})
    assert done.status_code == 200, done.json
    return ent.case(case["id"])


def test_a_decision_table_routes_cases_end_to_end(as_user: Any, app: Flask) -> None:
    analyst, ent, city = as_user("analyst"), as_user("ent-nanning"), as_user("city-nanning")
    deployed = _deploy(analyst, KEY, decision_files(), note="按金额分级审核")
    assert deployed.status_code == 201, deployed.json
    small = _submit(ent, 50)
    assert small["status"] == "completed", small
    assert small["data"]["review_level"] == "simple"
    assert small["title"] == "已登记：钢筋检验报告"
    assert city.task_for(small["id"]) is None
    large = _submit(ent, 500)
    assert large["status"] == "running"
    task = city.task_for(large["id"])
    assert task is not None and task["bpmn_id"] == "review"
    assert city.claim(task["id"]).status_code == 200
    assert city.complete(task["id"], {"decision": "approve"}).status_code == 200
    done = ent.case(large["id"])
    assert done["status"] == "completed" and done["data"]["review_level"] == "full"


def test_the_version_files_return_the_table_and_posted_back_deploy_nothing(as_user: Any, app: Flask) -> None:
    analyst = as_user("analyst")
    assert _deploy(analyst, KEY, decision_files(), note="第一版").status_code == 201
    files = analyst.get(f"{BASE}/{KEY}/versions/1/files").json["files"]
    assert files[TABLE] == decision_files()[TABLE]
    again = _deploy(analyst, KEY, files, note="原样")
    assert again.status_code == 200 and again.json["version"] == 1
    changed = decision_files(edit_table=replace("&lt;= 100", "&lt;= 200").__call__)
    changed = {**changed, TABLE: changed[TABLE].replace("&gt; 100", "&gt; 200")}
    assert _deploy(analyst, KEY, changed, note="免审额度提高到 200 万元").json["version"] == 2
    assert _versions(app, KEY) == 2


def test_the_decision_tables_of_a_version_read_as_tables(as_user: Any) -> None:
    analyst = as_user("analyst")
    _deploy(analyst, KEY, decision_files(), note="第一版")
    tables = analyst.get(f"{BASE}/{KEY}/versions/1/decisions")
    assert tables.status_code == 200, tables.json
    (table,) = tables.json["decisions"]
    assert (table["id"], table["file"], table["hit_policy"]) == ("review_level", TABLE, "UNIQUE")
    assert [i["expression"] for i in table["inputs"]] == ["amount"]
    assert [o["name"] for o in table["outputs"]] == ["review_level"]
    assert [(r["inputs"], r["outputs"], r["description"]) for r in table["rules"]] == [
        (["<= 100"], ['"simple"'], "小额：免审，直接登记"), (["> 100"], ['"full"'], "大额：市级审核")]
    assert as_user("ent-nanning").get(f"{BASE}/{KEY}/versions/1/decisions").status_code == 403


BROKEN_TABLES = {
    "input_reads_unknown_name": (lambda: decision_files(edit_table=replace("<text>amount<", "<text>amout<")),
                                 TABLE, "in_amount", ("amout",)),
    "output_without_quotes": (lambda: decision_files(edit_table=replace('<text>"full"</text>', "<text>full</text>")),
                              TABLE, "out_level", ("full",)),
    "hit_policy": (lambda: decision_files(edit_table=replace('hitPolicy="UNIQUE"', 'hitPolicy="PRIORITY"')),
                   TABLE, "review_level", ("PRIORITY", "UNIQUE")),
    "input_entry_not_python": (lambda: decision_files(edit_table=replace("&lt;= 100", "&lt;= ")),
                               TABLE, "rule_small", ("第 1 条规则",)),
    "output_name": (lambda: decision_files(edit_table=replace('name="review_level"', 'name="审核 级别"')),
                    TABLE, "out_level", ("变量名",)),
    "missing_table": (lambda: {k: v for k, v in decision_files().items() if k != TABLE},
                      "bpmn/graded_review.bpmn", "classify", ("review_level", ".dmn")),
    "task_without_table": (lambda: decision_files(edit=replace(
        "<spiffworkflow:calledDecisionId>review_level</spiffworkflow:calledDecisionId>", "")),
        "bpmn/graded_review.bpmn", "classify", ("calledDecisionId",)),
    "field_filled_later": (lambda: decision_files(edit_table=replace("<text>amount</text>", "<text>decision</text>")),
                           TABLE, "in_amount", ("decision", "之前没有任何表单填写")),
    "unused_table": (lambda: {**decision_files(), "bpmn/spare_level.dmn": decision_files()[TABLE].replace(
        'decision id="review_level"', 'decision id="spare_level"')},
        "bpmn/spare_level.dmn", "spare_level", ("spare_level", "没有被任何业务规则任务使用")),
    "xxe": (lambda: decision_files(edit_table=replace(
        "<definitions", '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<definitions')),
        TABLE, None, ("DTD",)),
}


@pytest.mark.parametrize("case", sorted(BROKEN_TABLES))
def test_a_broken_decision_table_is_refused_naming_file_and_column(case: str, as_user: Any, app: Flask) -> None:
    make, file, element, words = BROKEN_TABLES[case]
    refused = _deploy(as_user("analyst"), KEY, make())
    assert refused.status_code == 422, refused.json
    problems = refused.json["details"]["problems"]
    assert any(p["file"] == file and p["element"] == element and all(w in p["problem"] for w in words)
               for p in problems), problems
    assert _versions(app, KEY) == 0


def test_the_openapi_document_describes_the_decision_tables(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "get" in paths["/api/v1/procedures/{key}/versions/{number}/decisions"]
