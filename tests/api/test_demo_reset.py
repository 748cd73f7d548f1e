"""flask demo reset: every walkthrough can start again from fresh demo data."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, Person, PersonStatus, ProcedureVersion
from app.services.demo import DEMO_PASSWORD
from app.services.identity.accounts import sign_in


@pytest.mark.committing  # the reset drops every table on a connection of its own, then migrates
def test_reset_erases_cases_and_restores_the_demo_world(app: Flask, as_user: Any) -> None:
    ent = as_user("ent-nanning")
    started = ent.start("personnel_deregistration", {"mode": "employer", "leave_date": "2026-10-31",
                                                     "person_id": _person_id(app, "梁海")})
    assert started.status_code == 201, started.json
    assert _liang_hai_status(app) == PersonStatus.DEREGISTERED  # the walkthrough used up its person
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["demo", "reset"], input="n\n")
    assert refused.exit_code != 0 and _count(app, Case) == 1  # nothing erased without a yes
    result = runner.invoke(args=["demo", "reset", "--yes"])
    assert result.exit_code == 0, result.output
    assert _count(app, Case) == 0 and _count(app, ProcedureVersion) >= 5
    assert _liang_hai_status(app) == PersonStatus.IN_SERVICE
    with app.app_context():
        assert sign_in("ent-nanning", DEMO_PASSWORD).user is not None  # the demo accounts are back


def _person_id(app: Flask, name: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(Person.id).where(Person.name == name)))


def _liang_hai_status(app: Flask) -> str:
    with app.app_context():
        status = db.session.scalar(select(Person.status).where(Person.name == "梁海"))
        db.session.remove()
        return str(status)


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        count = int(db.session.scalar(select(func.count()).select_from(model)))
        db.session.remove()
        return count
