"""Who may start a procedure is its roles and the kinds of organisation it is for (`startOrganisations`): a
construction unit holds the enterprise role but cannot start the contractors' procedures, an enterprise cannot
start the construction unit's project registration; an unknown kind is refused at deploy, naming it."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, Organisation, Procedure, SandboxRun
from tests.support.procedure_files import replace, review_files, shipped_files

BASE = "/api/v1/procedures"
REFUSAL = "您所在的单位类型不能发起此事项"
# The procedures of the enterprises (施工企业 and the like) that a construction unit can never complete.
ENTERPRISES_ONLY = ["personnel_unlock", "performance_record_edit", "commitment_entry", "historical_performance",
                    "migrated_data_confirmation", "personnel_deregistration"]
ROLES = '<spiffworkflow:property name="startRoles" value="enterprise"/>'


def _cases(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Case)) or 0)


@pytest.mark.parametrize("key", ENTERPRISES_ONLY)
def test_a_construction_unit_is_refused_the_enterprises_procedures(key: str, as_user: Any, app: Flask) -> None:
    before = _cases(app)
    refused = as_user("owner-nanning").start(key, {})
    assert refused.status_code == 403, refused.json
    assert refused.json["code"] == "start_organisation_not_allowed" and refused.json["message"] == REFUSAL
    assert _cases(app) == before  # nothing was opened


def test_an_enterprise_is_refused_the_construction_units_project_registration(as_user: Any) -> None:
    refused = as_user("ent-nanning").start("project_registration", {"permit_number": "450103202512100301"})
    assert refused.status_code == 403 and refused.json["code"] == "start_organisation_not_allowed"
    assert refused.json["message"] == REFUSAL


def test_a_construction_unit_may_apply_to_upgrade_the_projects_it_entered(as_user: Any) -> None:
    """It is the original entry unit (原录入单位) of what it registered: the upgrades are its own too."""
    answer = as_user("owner-nanning").start("data_upgrade_c_to_a", {})
    assert answer.json["code"] == "invalid_form"  # the form is asked for, not the right to start


def test_a_deploy_naming_an_unknown_organisation_kind_is_refused(as_user: Any, app: Flask) -> None:
    files = review_files(edit=replace(ROLES, ROLES + '<spiffworkflow:property name="startOrganisations" '
                                                     'value="enterprise, contractor"/>'))
    refused = as_user("analyst").post(f"{BASE}/material_review/versions", {"files": files, "note": "只限企业"})
    assert refused.status_code == 422 and refused.json["code"] == "deploy_refused", refused.json
    problems = [p for p in refused.json["details"]["problems"] if "startOrganisations" in p["problem"]]
    assert len(problems) == 1 and "'contractor'" in problems[0]["problem"]  # enterprise is a known kind
    assert problems[0]["file"] == "bpmn/material_review.bpmn" and problems[0]["element"] == "material_review"
    with app.app_context():
        assert db.session.scalar(select(Procedure.id).where(Procedure.key == "material_review")) is None


def test_known_kinds_deploy_and_a_diagram_without_them_admits_any(as_user: Any) -> None:
    analyst = as_user("analyst")
    with_kinds = review_files(edit=replace(ROLES, ROLES + '<spiffworkflow:property name="startOrganisations" '
                                                          'value="enterprise,construction_unit"/>'))
    assert analyst.post(f"{BASE}/material_review/versions",
                        {"files": with_kinds, "note": "x", "dry_run": True}).json == {"problems": []}
    assert analyst.post(f"{BASE}/material_review/versions",
                        {"files": review_files(), "note": "x", "dry_run": True}).json == {"problems": []}


def test_a_sandbox_run_as_a_construction_unit_is_refused_an_enterprises_procedure(as_user: Any, app: Flask) -> None:
    with app.app_context():
        owner = db.session.scalar(select(Organisation.id).where(Organisation.kind == "construction_unit"))
        runs = db.session.scalar(select(func.count()).select_from(SandboxRun))
    analyst = as_user("analyst")
    refused = analyst.post(f"{BASE}/personnel_unlock/sandbox",
                           {"files": shipped_files("personnel_unlock"), "applicant_id": owner})
    assert refused.status_code == 422, refused.json
    assert refused.json["details"]["fields"]["applicant_id"] == "所选申请单位的单位类型不能发起此事项"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SandboxRun)) == runs
