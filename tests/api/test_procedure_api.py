"""The procedures API: start forms for every signed-in user; versions, files, deploys, the current version and
migrations for analysts and admins only."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker
from sqlalchemy import func, select

from app.extensions import db
from app.models import Procedure, ProcedureChange, ProcedureVersion
from tests.support.api import ApiUser
from tests.support.procedure_files import replace, review_files, shipped_files

BASE = "/api/v1/procedures"
OTHER_ROLES = ["ent-nanning", "city-nanning", "province", "supervisor", "person"]


def _versions(app: Flask, key: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcedureVersion).join(
            Procedure, Procedure.id == ProcedureVersion.procedure_id).where(Procedure.key == key)) or 0


def _deploy(user: ApiUser, key: str, files: dict[str, str], note: str | None = "测试变更", **extra: Any) -> Any:
    return user.post(f"{BASE}/{key}/versions", {"files": files, "note": note, **extra})


def _choice(form: dict[str, Any], field: str, words: str) -> Any:
    """The value of the published option of `field` whose title contains `words`."""
    options = form["properties"][field]["oneOf"]
    found = [o["const"] for o in options if words in o["title"]]
    assert found, f"no option of {field} mentions {words}: {options}"
    return found[0]


START_DATA: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "personnel_unlock": ("ent-nanning", lambda form: {}),
    "data_upgrade_b_to_a": ("ent-nanning", lambda form: {
        "project_id": _choice(form, "project_id", "4501002024B001"), "contact_name": "黄工",
        "contact_phone": "13907711234", "statement": "该项目已竣工验收，申请提升数据等级", "commitment": True}),
    "data_upgrade_c_to_a": ("ent-nanning", lambda form: {
        "project_id": _choice(form, "project_id", "4501002025C002"), "contact_name": "黄工",
        "contact_phone": "13907711234", "statement": "该项目已竣工验收，申请提升数据等级", "commitment": True}),
    "personnel_deregistration": ("ent-nanning", lambda form: {
        "mode": "employer", "person_id": _choice(form, "person_id", "梁海"), "leave_date": "2026-11-20"}),
    "performance_record_edit": ("ent-nanning", lambda form: {
        "record_id": _choice(form, "record_id", "南宁滨江大道改造工程")}),
}


@pytest.mark.parametrize("key", sorted(START_DATA))
def test_an_api_client_starts_each_procedure_from_its_published_start_form(key: str, as_user: Any) -> None:
    username, fill = START_DATA[key]
    user = as_user(username)
    listed = {p["key"]: p for p in user.get(BASE).json}
    form = listed[key]["start_form"]
    if key == "personnel_unlock":
        assert form is None  # it starts without data: its first form is a task
    else:
        assert form["type"] == "object" and form["properties"]
    data = fill(form) if form is not None else {}
    if form is not None:
        Draft202012Validator(form, format_checker=FormatChecker()).validate(data)
    started = user.start(key, data)
    assert started.status_code == 201, started.json
    assert started.json["procedure_version"] == listed[key]["version"]


def test_every_signed_in_role_lists_start_forms_with_its_own_choices(as_user: Any) -> None:
    nanning = {p["key"]: p for p in as_user("ent-nanning").get(BASE).json}
    liuzhou = {p["key"]: p for p in as_user("ent-liuzhou").get(BASE).json}
    titles = [o["title"] for o in nanning["data_upgrade_b_to_a"]["start_form"]["properties"]["project_id"]["oneOf"]]
    other = [o["title"] for o in liuzhou["data_upgrade_b_to_a"]["start_form"]["properties"]["project_id"]["oneOf"]]
    assert any("4501002024B001" in t for t in titles) and not any("4501002024B001" in t for t in other)
    for username in ("city-nanning", "province", "analyst", "admin", "supervisor", "person"):
        listed = as_user(username).get(BASE)
        assert listed.status_code == 200 and all("start_form" in p for p in listed.json), username


def test_a_procedure_lists_its_versions_with_notes_and_running_cases(as_user: Any) -> None:
    as_user("ent-nanning").start("personnel_unlock")
    analyst = as_user("analyst")
    detail = analyst.get(f"{BASE}/personnel_unlock")
    assert detail.status_code == 200, detail.json
    body = detail.json
    assert set(body) == {"key", "name", "version", "start_form", "versions"}
    assert body["key"] == "personnel_unlock" and body["version"] == 1 and body["start_form"] is None
    (version,) = body["versions"]
    assert set(version) == {"version", "deployed_at", "deployed_by", "note", "content_hash", "running_cases"}
    assert version["version"] == 1 and version["deployed_by"] == "test" and version["running_cases"] == 1
    assert analyst.get(f"{BASE}/no_such_procedure").json["code"] == "procedure_not_found"


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_every_other_role_is_refused(username: str, as_user: Any, app: Flask) -> None:
    user = as_user(username)
    files = shipped_files("personnel_unlock")
    calls = [user.get(f"{BASE}/personnel_unlock"), user.get(f"{BASE}/personnel_unlock/versions/1/files"),
             _deploy(user, "personnel_unlock", files), _deploy(user, "personnel_unlock", files, dry_run=True),
             user.post(f"{BASE}/personnel_unlock/current", {"version": 1, "note": "回退"}),
             user.post(f"{BASE}/personnel_unlock/migrations", {"from_version": 1, "to_version": 1, "dry_run": True})]
    assert [c.status_code for c in calls] == [403] * len(calls), [c.json for c in calls]
    assert {c.json["code"] for c in calls} == {"procedures_not_allowed"}
    assert _versions(app, "personnel_unlock") == 1


def test_without_a_token_every_call_is_401(client: Any) -> None:
    for path in ("", "/personnel_unlock", "/personnel_unlock/versions/1/files"):
        assert client.get(f"{BASE}{path}").status_code == 401
    for path, body in (("/personnel_unlock/versions", {"files": {}, "note": "x"}),
                       ("/personnel_unlock/current", {"version": 1, "note": "x"}),
                       ("/personnel_unlock/migrations", {"from_version": 1, "to_version": 2})):
        assert client.post(f"{BASE}{path}", json=body).status_code == 401


def test_the_files_of_a_version_posted_back_unchanged_deploy_nothing(as_user: Any, app: Flask) -> None:
    admin = as_user("admin")
    for key in ("personnel_unlock", "data_upgrade_c_to_a"):
        files = admin.get(f"{BASE}/{key}/versions/1/files")
        assert files.status_code == 200
        names = set(files.json["files"])
        assert f"bpmn/{key}.bpmn" in names and "bpmn/lanes.json" in names and any(n.startswith("forms/") for n in names)
        again = _deploy(admin, key, files.json["files"], note="原样重新部署")
        assert again.status_code == 200, again.json
        assert again.json["version"] == 1
        assert _versions(app, key) == 1


def test_a_deploy_stores_the_next_version_with_its_note_and_new_cases_take_it(as_user: Any, app: Flask) -> None:
    analyst, ent = as_user("analyst"), as_user("ent-nanning")
    old = ent.start("personnel_unlock").json
    files = shipped_files("personnel_unlock", replace('name="审核解锁申请"', 'name="审核解锁申请（新版）"'))
    deployed = _deploy(analyst, "personnel_unlock", files, note="审核步骤改名")
    assert deployed.status_code == 201, deployed.json
    assert deployed.json == {"key": "personnel_unlock", "version": 2, "note": "审核步骤改名"}
    new = ent.start("personnel_unlock").json
    assert (old["procedure_version"], new["procedure_version"]) == (1, 2)
    versions = analyst.get(f"{BASE}/personnel_unlock").json["versions"]
    assert [(v["version"], v["note"], v["deployed_by"], v["running_cases"]) for v in versions] == [
        (1, None, "test", 1), (2, "审核步骤改名", "analyst", 1)]
    with app.app_context():
        version = db.session.scalar(select(ProcedureVersion).where(ProcedureVersion.version == 2,
                                                                   ProcedureVersion.name == "项目人员解锁"))
        assert version is not None and version.source == "api"


def test_a_real_deploy_needs_a_note(as_user: Any, app: Flask) -> None:
    files = shipped_files("personnel_unlock", replace('name="审核解锁申请"', 'name="审核"'))
    for note in (None, "  "):
        refused = _deploy(as_user("analyst"), "personnel_unlock", files, note=note)
        assert refused.status_code == 422 and refused.json["details"]["fields"]["note"] == "请填写变更说明"
    assert _versions(app, "personnel_unlock") == 1


def test_a_dry_run_answers_the_problems_and_stores_nothing(as_user: Any, app: Flask) -> None:
    analyst = as_user("analyst")
    renamed = shipped_files("personnel_unlock", replace('name="审核解锁申请"', 'name="审核"'))
    good = _deploy(analyst, "personnel_unlock", renamed, note=None, dry_run=True)
    assert good.status_code == 200 and good.json == {"problems": []}
    bad = _deploy(analyst, "personnel_unlock", shipped_files(
        "personnel_unlock", replace('decision == "approve"', 'lead_decison == "approve"')), dry_run=True)
    assert bad.status_code == 200
    assert [(p["file"], p["element"]) for p in bad.json["problems"]] == [("bpmn/personnel_unlock.bpmn", "f_approve")]
    assert "lead_decison" in bad.json["problems"][0]["problem"]
    assert _versions(app, "personnel_unlock") == 1


def _dangling(text: str) -> str:
    return replace('<bpmn:sequenceFlow id="f6" sourceRef="register" targetRef="end"/>',
                   '<bpmn:sequenceFlow id="f6" sourceRef="register" targetRef="nowhere"/>')(text)


XXE = '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<bpmn:definitions'
BROKEN: dict[str, tuple[Callable[[], dict[str, str]], str | None, str | None, str]] = {
    "dangling_flow": (lambda: review_files(edit=_dangling), "bpmn/material_review.bpmn", "f6", "nowhere"),
    "unknown_form": (lambda: review_files(edit=replace('value="review_decision"', 'value="no_such_form"')),
                     "bpmn/material_review.bpmn", "review", "forms/no_such_form.json"),
    "xxe": (lambda: review_files(edit=replace("<bpmn:definitions", XXE)), "bpmn/material_review.bpmn", None, "DTD"),
    "billion_laughs": (lambda: review_files("billion_laughs.bpmn"), "bpmn/material_review.bpmn", None, "DTD"),
    "import_in_script": (lambda: review_files(edit=replace("round_no = 0", "import os\nround_no = 0")),
                         "bpmn/material_review.bpmn", "init", "import"),
    "condition_typo": (lambda: review_files(edit=replace('decision == "approve"', 'decison == "approve"')),
                       "bpmn/material_review.bpmn", "f_ok", "decison"),
    "file_name": (lambda: {**review_files(), "../etc/passwd.bpmn": "<x/>"}, "../etc/passwd.bpmn", None, "文件名"),
    "form_not_json": (lambda: {**review_files(), "forms/review_submit.json": "{"}, "forms/review_submit.json",
                      None, "JSON"),
    "unbounded_list": (lambda: {**review_files(), "forms/review_submit.json":
                                review_files()["forms/review_submit.json"].replace('"maxItems": 20, ', "")},
                       "forms/review_submit.json", "files", "最多项数"),
    "no_startable_process": (lambda: review_files(edit=replace('<spiffworkflow:property name="casePrefix" value="CS"/>',
                                                               "")),
                             "bpmn/material_review.bpmn", "material_review", "casePrefix"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_procedure_is_refused_naming_file_and_element_and_nothing_is_stored(
        case: str, as_user: Any, app: Flask) -> None:
    make, file, element, words = BROKEN[case]
    refused = _deploy(as_user("analyst"), "material_review", make())
    assert refused.status_code == 422, refused.json
    assert refused.json["code"] == "deploy_refused"
    problems = refused.json["details"]["problems"]
    assert any(p["file"] == file and p["element"] == element and words in p["problem"] for p in problems), problems
    assert _versions(app, "material_review") == 0
    with app.app_context():
        assert db.session.scalar(select(Procedure).where(Procedure.key == "material_review")) is None


def test_a_20_megabyte_file_is_refused_naming_it_and_nothing_is_stored(as_user: Any, app: Flask) -> None:
    files = {**review_files(), "forms/huge.json": '{"title": "' + "x" * (20 * 1024 * 1024) + '"}'}
    for dry_run in (False, True):
        refused = _deploy(as_user("analyst"), "material_review", files, dry_run=dry_run)
        problems = refused.json["problems"] if dry_run else refused.json["details"]["problems"]
        assert refused.status_code == (200 if dry_run else 422), refused.json
        assert problems == [{"file": "forms/huge.json", "element": None, "problem": "文件过大（最多 1024 KB）",
                             "problem_en": "File too large (at most 1024 KB)"}]
    assert _versions(app, "material_review") == 0
    with app.app_context():
        assert db.session.scalar(select(Procedure).where(Procedure.key == "material_review")) is None


def test_an_absurd_deploy_body_is_refused_unread(as_user: Any, app: Flask) -> None:
    """Above the deploy's own hard limit (64 MB) the declared length is refused before anything is read."""
    analyst = as_user("analyst")
    refused = analyst.client.post(f"{BASE}/material_review/versions", headers=analyst.headers,
                                  input_stream=io.BytesIO(b"{}"), content_type="application/json",
                                  environ_overrides={"CONTENT_LENGTH": str(65 * 1024 * 1024)})
    assert refused.status_code == 413 and refused.json["code"] == "payload_too_large"
    assert _versions(app, "material_review") == 0
    other = analyst.client.post(f"{BASE}/material_review/current", headers=analyst.headers,
                                data=b'{"x": "' + b"x" * (3 * 1024 * 1024) + b'"}', content_type="application/json")
    assert other.status_code == 413  # the other endpoints keep the general limit


def test_a_file_above_its_own_limit_is_refused_naming_it(as_user: Any, app: Flask) -> None:
    files = {**review_files(), "forms/big.json": '{"title": "' + "x" * (1024 * 1024 + 1) + '"}'}
    refused = _deploy(as_user("analyst"), "material_review", files)
    assert refused.status_code == 422
    assert [p["file"] for p in refused.json["details"]["problems"]] == ["forms/big.json"]


def test_a_new_key_creates_a_new_procedure_that_clients_can_start(as_user: Any, app: Flask) -> None:
    analyst = as_user("admin")
    created = _deploy(analyst, "material_review", review_files(), note="新事项")
    assert created.status_code == 201 and created.json["version"] == 1
    assert analyst.get(f"{BASE}/material_review").json["versions"][0]["note"] == "新事项"
    listed = {p["key"]: p for p in as_user("ent-nanning").get(BASE).json}
    assert listed["material_review"]["version"] == 1
    assert as_user("ent-nanning").start("material_review").status_code == 201
    wrong_key = _deploy(analyst, "other_key", review_files())
    assert wrong_key.status_code == 422
    assert "other_key" in wrong_key.json["details"]["problems"][0]["problem"]


def test_a_rollback_makes_an_earlier_version_current_and_is_recorded(as_user: Any, app: Flask) -> None:
    analyst, ent = as_user("analyst"), as_user("ent-nanning")
    assert _deploy(analyst, "material_review", review_files(), note="第一版").status_code == 201
    second = review_files(edit=replace('name="审核材料"', 'name="复核材料"'))
    assert _deploy(analyst, "material_review", second, note="第二版").json["version"] == 2
    assert ent.start("material_review").json["procedure_version"] == 2
    rolled = analyst.post(f"{BASE}/material_review/current", {"version": 1, "note": "第二版有误，回退"})
    assert rolled.status_code == 200, rolled.json
    assert rolled.json == {"key": "material_review", "version": 1, "note": "第二版有误，回退"}
    assert ent.start("material_review").json["procedure_version"] == 1
    assert analyst.get(f"{BASE}/material_review").json["version"] == 1
    with app.app_context():
        change = db.session.scalars(select(ProcedureChange).order_by(ProcedureChange.id.desc())).first()
        assert change is not None and (change.kind, change.by, change.note) == ("made_current", "analyst",
                                                                               "第二版有误，回退")
    no_note = analyst.post(f"{BASE}/material_review/current", {"version": 2})
    assert no_note.status_code == 422 and "note" in no_note.json["details"]["fields"]
    assert analyst.post(f"{BASE}/material_review/current", {"version": 9, "note": "x"}).status_code == 404


def test_deploying_the_good_files_again_after_a_broken_version_makes_them_current(as_user: Any, app: Flask) -> None:
    analyst, ent = as_user("analyst"), as_user("ent-nanning")
    good = review_files("material_review_fixed_check.bpmn")
    assert _deploy(analyst, "material_review", good, note="好版本").json["version"] == 1
    broken = review_files("material_review_broken_check.bpmn")
    assert _deploy(analyst, "material_review", broken, note="有缺陷的版本").json["version"] == 2
    again = _deploy(analyst, "material_review", good, note="恢复好版本")
    assert again.status_code == 200 and again.json["version"] == 1
    document = analyst.get("/api/v1/openapi.json").json  # the answer is one the document describes for 200
    documented = document["paths"]["/api/v1/procedures/{key}/versions"]["post"]["responses"]["200"]
    Draft7Validator({**documented["content"]["application/json"]["schema"],
                     "components": document["components"]}).validate(again.json)
    assert ent.start("material_review").json["procedure_version"] == 1
    assert _versions(app, "material_review") == 2


def test_migrations_move_cases_and_a_dry_run_says_which_cannot(as_user: Any, app: Flask) -> None:
    analyst, ent = as_user("analyst"), as_user("ent-nanning")
    _deploy(analyst, "material_review", review_files(), note="第一版")
    case = ent.start("material_review").json
    _deploy(analyst, "material_review", review_files("material_review_renamed_review.bpmn"), note="审核步骤改 id")
    path = f"{BASE}/material_review/migrations"
    dry = analyst.post(path, {"from_version": 1, "to_version": 2, "dry_run": True})
    assert dry.status_code == 200
    assert dry.json == {"results": [{"case_id": case["id"], "can_migrate": True, "migrated": False, "reason": None}]}
    moved = analyst.post(path, {"from_version": 1, "to_version": 2, "case_ids": [case["id"], 999999]})
    assert moved.json["results"][0] == {"case_id": case["id"], "can_migrate": True, "migrated": True, "reason": None}
    assert moved.json["results"][1]["case_id"] == 999999 and moved.json["results"][1]["can_migrate"] is False
    assert ent.case(case["id"])["procedure_version"] == 2
    same = analyst.post(path, {"from_version": 2, "to_version": 2})
    assert same.status_code == 422 and same.json["code"] == "same_version"


def test_the_openapi_document_describes_the_procedure_endpoints(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/procedures/{key}", "/api/v1/procedures/{key}/versions/{number}/files",
                 "/api/v1/procedures/{key}/versions", "/api/v1/procedures/{key}/current",
                 "/api/v1/procedures/{key}/migrations"):
        assert path in paths, sorted(paths)
    assert "201" in paths["/api/v1/procedures/{key}/versions"]["post"]["responses"]
