"""An individual's account is his own: the employer he applies against never sees what he files."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, update

from app.db import unit_of_work
from app.extensions import db
from app.models import Case, Organisation, OrganisationKind, Task, User
from tests.conftest import ROOT
from tests.procedures.steps import upload

MIGRATIONS = str(ROOT / "migrations")
BEFORE_PERSONAL_ORGANISATIONS = "73c3c9889ffe"


def _application_against_former_employer(person: Any) -> tuple[int, str]:
    started = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"})
    assert started.status_code == 201, started.json
    case_id = started.json["id"]
    return case_id, upload(person, case_id, "劳动仲裁裁决书.pdf")


def _hidden_from(user: Any, case_id: int, attachment_id: str) -> None:
    assert user.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert user.get(f"/api/v1/cases/{case_id}/attachments/{attachment_id}").status_code == 404
    assert case_id not in [c["id"] for c in user.get("/api/v1/cases").json["items"]]


def test_the_former_employer_cannot_see_or_download_an_individuals_application(as_user: Any, app: Flask) -> None:
    person, former, city = as_user("person"), as_user("ent-nanning"), as_user("city-nanning")
    case_id, attachment_id = _application_against_former_employer(person)
    _hidden_from(former, case_id, attachment_id)
    assert person.get(f"/api/v1/cases/{case_id}/attachments/{attachment_id}").status_code == 200
    assert city.get(f"/api/v1/cases/{case_id}").status_code == 404  # not yet submitted: his draft alone
    with app.app_context():
        own = db.session.scalar(select(Organisation).join(User).where(User.username == "person"))
        assert own.kind == OrganisationKind.INDIVIDUAL and own.name == "梁海（个人）"


@pytest.mark.committing  # Alembic migrates down and up (DDL) on a connection of its own
def test_the_migration_moves_an_individual_and_his_open_case_out_of_the_employers_organisation(
        as_user: Any, app: Flask) -> None:
    person, former = as_user("person"), as_user("ent-nanning")
    case_id, attachment_id = _application_against_former_employer(person)
    with app.app_context(), unit_of_work():  # the state an earlier release left: he sat in his employer's organisation
        employer = db.session.scalar(select(Organisation).where(Organisation.name == "广西邕城建设集团有限公司"))
        db.session.execute(update(User).where(User.username == "person").values(organisation_id=employer.id))
        db.session.execute(update(Case).where(Case.id == case_id).values(applicant_org_id=employer.id))
        db.session.execute(update(Task).where(Task.case_id == case_id).values(candidate_org_id=employer.id))
    assert former.get(f"/api/v1/cases/{case_id}").status_code == 200  # the leak the migration closes
    with app.app_context():
        downgrade(directory=MIGRATIONS, revision=BEFORE_PERSONAL_ORGANISATIONS)
        upgrade(directory=MIGRATIONS)
        db.session.remove()
    _hidden_from(former, case_id, attachment_id)
    task = person.task_for(case_id, view="mine")
    assert task is not None and task["bpmn_id"] == "submit_person"
