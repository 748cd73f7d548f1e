"""The audit log: what reaches it (sign-ins, case actions, data changes with before/after, admin actions,
exports and downloads), with user, address and time, sealed into the hash chain in the same transaction."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from app.services.audit import chain
from tests.api.test_case_lifecycle import _lock_choices, start_and_submit
from tests.support.web import csrf_token


def _entries(app: Flask, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))
        db.session.expunge_all()
        return rows


def test_a_refused_and_an_accepted_sign_in_are_audited_with_the_address(app: Flask, client: Any) -> None:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "city-nanning", "password": "wrong-Passw0rd", "csrf_token": token},
                environ_base={"REMOTE_ADDR": "10.20.30.40"})
    refused = _entries(app, "sign_in.failure")[-1]
    assert (refused.actor_name, refused.source_ip, refused.object_id) == ("city-nanning", "10.20.30.40", str(
        refused.actor_id))
    assert refused.seq is not None and refused.hash is not None  # sealed before the request's commit

    from tests.support.web import sign_in

    sign_in(app, client, "city-nanning")
    assert _entries(app, "sign_in.password_ok") and _entries(app, "sign_in.success")[-1].actor_name == "city-nanning"


def test_case_actions_and_the_data_they_change_are_audited(app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, detail = start_and_submit(ent)
    review = city.task_for(case_id)
    city.claim(review["id"])
    assert city.complete(review["id"], {"decision": "approve"}).status_code == 200
    number = ent.case(case_id)["number"]

    started = _entries(app, "case.case_started")[-1]
    assert (started.actor_name, started.object_type, started.object_id) == ("ent-nanning", "case", number)
    completed = [e for e in _entries(app, "case.task_completed") if e.object_id == number]
    assert [e.actor_name for e in completed] == ["ent-nanning", "city-nanning"]
    assert _entries(app, "case.attachment_uploaded")[-1].object_id == number

    released = _entries(app, "record.locks_released")[-1]
    lock_id = _lock_choices(detail)[0]
    assert released.details["locks"] == [lock_id] and released.details["case"] == number
    assert released.details["before"] == {"active": True} and released.details["after"]["active"] is False


def test_a_download_and_an_export_are_audited(app: Flask, as_user: Any) -> None:
    ent = as_user("ent-nanning")
    case_id, _ = start_and_submit(ent)
    attachment = ent.get(f"/api/v1/cases/{case_id}/attachments").json[0]
    assert ent.get(f"/api/v1/cases/{case_id}/attachments/{attachment['id']}").status_code == 200
    assert _entries(app, "case.attachment_downloaded")[-1].details["attachment_id"] == attachment["id"]

    supervisor = as_user("supervisor")
    assert supervisor.get("/api/v1/dashboard/overdue_tasks/export?format=csv").status_code == 200
    exported = _entries(app, "dashboard.exported")[-1]
    assert (exported.actor_name, exported.object_id) == ("supervisor", "overdue_tasks")


def test_admin_actions_are_audited(app: Flask, as_user: Any) -> None:
    admin = as_user("admin")
    created = admin.post("/api/v1/tokens", {"scopes": ["read"], "days": 3, "name": "巡检"})
    assert created.status_code == 201
    issued = _entries(app, "account.token_issued")[-1]
    assert issued.actor_name == "admin" and issued.details["scopes"] == "read"
    # the token's value never reaches the log
    with app.app_context():
        assert not db.session.scalar(select(AuditEntry.id).where(AuditEntry.details.cast(db.String).contains(
            created.json["token"])))


def test_phones_and_id_numbers_in_details_are_masked(app: Flask) -> None:
    from app.db import unit_of_work
    from app.services import audit

    with app.app_context():
        with unit_of_work():
            audit.record(None, "test.masking", "person", 1, note="13907710101 / 450102198503150011")
    with app.app_context():
        stored = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "test.masking"))
        assert stored is not None and "13907710101" not in stored.details["note"]
        assert "450102198503150011" not in stored.details["note"]


def test_the_chain_of_an_ordinary_day_verifies(app: Flask, as_user: Any) -> None:
    start_and_submit(as_user("ent-nanning"))
    with app.app_context():
        result = chain.verify(db.session())
    assert result.intact, result.breaks
    assert result.rows > 0 and result.head_seq == result.rows


def test_what_a_refused_part_of_the_work_recorded_is_not_written(app: Flask) -> None:
    """An action refused inside a savepoint (a refused form, a refused start) or a dry run did not happen: its
    entries are dropped with its rows; the rest of the unit of work is written, sealed, once."""
    import pytest

    from app.db import attempt, dry_run, unit_of_work
    from app.services import audit

    with app.app_context():
        with unit_of_work() as session:
            audit.record(None, "test.kept", "case", 1)
            with pytest.raises(ValueError), attempt(session):
                audit.record(None, "test.refused", "case", 1)
                raise ValueError("refused")
            with dry_run(session):
                audit.record(None, "test.dry_run", "case", 1)
            with attempt(session):
                audit.record(None, "test.kept_in_savepoint", "case", 1)
        with pytest.raises(RuntimeError), unit_of_work():
            audit.record(None, "test.rolled_back", "case", 1)
            raise RuntimeError("the whole unit of work fails")
        with unit_of_work():
            audit.record(None, "test.after", "case", 1)
    kept = [_entries(app, action) for action in ("test.kept", "test.kept_in_savepoint", "test.after")]
    assert all(len(rows) == 1 and rows[0].seq is not None for rows in kept)
    assert [rows[0].seq for rows in kept] == sorted(rows[0].seq for rows in kept)
    for action in ("test.refused", "test.dry_run", "test.rolled_back"):
        assert _entries(app, action) == [], action
    with app.app_context():
        assert chain.verify(db.session()).intact
