"""The OpenAPI document (/api/v1/openapi.json) says the type of every field, so that a client can validate what
it receives and a generated client types it (a field with no type is `Any` to both); real answers match it.
A change note is documented as the server enforces it: required and not blank."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from tests.procedures.steps import act_ok, upload
from tests.support.api import ApiUser

TYPED = ("type", "$ref", "allOf", "oneOf", "anyOf")
# Not checked: the values of a free-form object (`additionalProperties: {}`: a form's data, a message's payload, an
# error's details), which are any JSON value by design; the object itself has its type.


def untyped(schema: dict[str, Any], where: str) -> Iterator[str]:
    """Where a schema's properties and array items, however deep, state no type."""
    for name, inner in (schema.get("properties") or {}).items():
        yield from _typed(inner, f"{where}.{name}")
    if isinstance(schema.get("items"), dict):
        yield from _typed(schema["items"], f"{where}[]")
    values = schema.get("additionalProperties")
    if isinstance(values, dict) and values:
        yield from _typed(values, f"{where}{{}}")
    for key in ("allOf", "oneOf", "anyOf"):
        for number, part in enumerate(schema.get(key) or []):
            yield from untyped(part, f"{where}/{key}/{number}")


def _typed(schema: dict[str, Any], where: str) -> Iterator[str]:
    if not any(key in schema for key in TYPED):
        yield where
    yield from untyped(schema, where)


def inline_schemas(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The schemas written into the operations: parameters, request bodies, answers."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                yield f"{method} {path} ?{parameter['name']}", parameter.get("schema", {})
            bodies = [("body", operation.get("requestBody", {}))] + list(operation.get("responses", {}).items())
            for name, body in bodies:
                for media, content in body.get("content", {}).items():
                    yield f"{method} {path} {name} {media}", content.get("schema", {})


def test_every_field_of_the_document_has_a_type(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json
    found = [where for name, schema in spec["components"]["schemas"].items() for where in untyped(schema, name)]
    found += [where for name, schema in inline_schemas(spec) for where in _typed(schema, name) if schema]
    assert not found, f"{len(found)} fields without a type: {found}"


def json_schema(node: Any) -> Any:
    """OpenAPI 3.0's schema as JSON Schema: `nullable: true` is a "null" more in `type`."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: json_schema(value) for key, value in node.items()}
    if node.get("nullable") is True and isinstance(node.get("type"), str):
        converted["type"] = [node["type"], "null"]
    return converted


def check(spec: dict[str, Any], component: str, answer: Any) -> None:
    schema = {"$ref": f"#/components/schemas/{component}", "components": json_schema(spec["components"])}
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(answer)]
    assert not errors, (component, errors)


def test_answers_are_what_the_document_says(client: Any, as_user: Callable[[str], ApiUser]) -> None:
    """Integrity points as two-decimal text, a draw's strata and items, token scopes, masked ID numbers and
    phones, a task's time limit: each as its documented type, checked by a plain JSON Schema validator."""
    spec = client.get("/api/v1/openapi.json").json
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    enterprise = ent.get("/api/v1/records/enterprises").json["items"][0]
    integrity = ent.get(f"/api/v1/records/enterprises/{enterprise['id']}/integrity").json
    assert integrity["entries"] and isinstance(integrity["entries"][0]["points"], str)
    check(spec, "Integrity", integrity)
    check(spec, "EnterprisePage", ent.get("/api/v1/records/enterprises").json)
    check(spec, "PersonPage", ent.get("/api/v1/records/persons").json)
    check(spec, "TokenList", ent.get("/api/v1/tokens").json)
    draw = city.post("/api/v1/spot-checks/draws", {"sample_size": 1, "exclude_months": 0, "dry_run": True})
    assert draw.status_code == 200, draw.json
    assert draw.json["draw_id"] is None and draw.json["strata"] and draw.json["items"]
    check(spec, "Draw", draw.json)
    locks = ent.get("/api/v1/records/locks?active=true").json
    check(spec, "LockPage", locks)
    case_id = ent.start("personnel_unlock").json["id"]
    act_ok(ent, case_id, {"kind": "completion", "lock_ids": [locks["items"][0]["id"]], "reason": "项目已竣工验收",
                          "application_files": [upload(ent, case_id, "解锁申请表.pdf")],
                          "completion_files": [upload(ent, case_id, "竣工验收合格意见书.pdf")]})
    check(spec, "CaseDetail", ent.get(f"/api/v1/cases/{case_id}").json)
    review = city.get("/api/v1/tasks?view=claimable").json
    assert [task["due_in"] for task in review["items"] if task["case_id"] == case_id] == ["3 working days"]
    check(spec, "TaskPage", review)


def test_the_change_note_is_documented_as_the_server_enforces_it(client: Any,
                                                                  as_user: Callable[[str], ApiUser]) -> None:
    """Making a version current and deploying a draft need a note that is not blank: the document said optional
    and nullable, and a client that sent none was refused."""
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    for name in ("CurrentVersion", "DraftDeploy"):
        note = schemas[name]["properties"]["note"]
        assert "note" in schemas[name]["required"], name
        assert note["type"] == "string" and not note.get("nullable") and note["minLength"] == 1, name
        assert note["pattern"] == r"\s*\S", name  # JSON Schema searches: a character that is not a blank
    assert "required unless `dry_run`" in schemas["VersionDeploy"]["properties"]["note"]["description"]
    analyst = as_user("analyst")
    for body in ({"version": 1}, {"version": 1, "note": None}, {"version": 1, "note": "  "}):
        refused = analyst.post("/api/v1/procedures/personnel_unlock/current", body)
        assert refused.status_code == 422 and "note" in refused.json["details"]["fields"], (body, refused.json)


def test_the_withdrawal_reason_is_documented_as_the_server_enforces_it(client: Any,
                                                                       as_user: Callable[[str], ApiUser]) -> None:
    """A withdrawal needs a reason that is not blank (请填写撤回理由): the document said optional, default ""."""
    withdraw = client.get("/api/v1/openapi.json").json["components"]["schemas"]["CaseWithdraw"]
    reason = withdraw["properties"]["reason"]
    assert withdraw["required"] == ["reason"]
    assert reason["type"] == "string" and reason["minLength"] == 1 and "default" not in reason
    assert reason["pattern"] == r"\s*\S" and not reason.get("nullable")
    ent = as_user("ent-nanning")
    case_id = ent.start("personnel_unlock").json["id"]
    for body in ({}, {"reason": ""}, {"reason": " \u3000"}):  # refused by the service, as before, with its message
        refused = ent.post(f"/api/v1/cases/{case_id}/withdraw", body)
        assert refused.status_code == 422 and refused.json["details"]["fields"] == {"reason": "请填写撤回理由"}, body
    assert ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "重新申请"}).json["status"] == "withdrawn"
    assert ent.post(f"/api/v1/cases/{case_id}/withdraw").json["code"] == "case_closed"  # no body: closed first
