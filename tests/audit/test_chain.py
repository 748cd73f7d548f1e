"""The hash chain: `flask audit verify` finds an edited, a deleted and a reordered row and tells the admins;
several writers at once still make one unbroken chain; the database refuses to change a sealed row."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.db import unit_of_work
from app.extensions import db
from app.models import AuditEntry, Notification, User
from app.services import audit
from app.services.audit import chain

pytestmark = pytest.mark.committing  # the tampering needs the triggers off, on a database of its own


def _write_entries(app: Flask, count: int = 6) -> None:
    for number in range(count):
        with app.app_context(), unit_of_work():
            audit.record(None, "test.entry", "thing", number, note=f"第 {number} 条")


def _tamper(app: Flask, *statements: str) -> None:
    """What someone with the database owner's rights could do: switch the triggers off and write."""
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            db.session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            db.session.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
            db.session.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        for statement in statements:
            db.session.execute(text(statement))
        db.session.commit()


def _verify(app: Flask) -> Any:
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_an_intact_chain_verifies(app: Flask) -> None:
    _write_entries(app)
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "审计日志完整" in result.output


def test_an_edited_row_is_found(app: Flask) -> None:
    _write_entries(app)
    _tamper(app, "UPDATE audit_log SET actor_name = 'someone-else' WHERE seq = 3")
    result = _verify(app)
    assert result.exit_code == 1
    assert "第 3 条的内容与其哈希不符：记录被修改" in result.output


def test_a_deleted_row_is_found(app: Flask) -> None:
    _write_entries(app)
    _tamper(app, "DELETE FROM audit_log WHERE seq = 3")
    result = _verify(app)
    assert result.exit_code == 1
    assert "第 3 条缺失" in result.output and "第 4 条的前序哈希不符" in result.output


def test_a_reordered_row_is_found(app: Flask) -> None:
    _write_entries(app)
    _tamper(app, "UPDATE audit_log SET seq = -1 WHERE seq = 3", "UPDATE audit_log SET seq = 3 WHERE seq = 4",
            "UPDATE audit_log SET seq = 4 WHERE seq = -1")
    result = _verify(app)
    assert result.exit_code == 1
    assert "第 3 条的前序哈希不符：记录被删除或调换了顺序" in result.output


def test_rows_cut_from_the_end_are_found_by_the_last_checkpoint(app: Flask) -> None:
    _write_entries(app)
    assert _verify(app).exit_code == 0  # leaves a checkpoint at the head
    with app.app_context():
        head = db.session.scalar(select(func.max(AuditEntry.seq)))
    _tamper(app, f"DELETE FROM audit_log WHERE seq >= {head - 2}")
    result = _verify(app)
    assert result.exit_code == 1 and "末尾记录被删除" in result.output


def test_the_nightly_job_notifies_every_admin_and_auditor_of_a_break(app: Flask) -> None:
    from app.jobs.audit import verify_audit_log

    _write_entries(app)
    _tamper(app, "UPDATE audit_log SET details = '{}' WHERE seq = 2")
    with app.app_context():
        assert verify_audit_log() > 0
        told = set(db.session.scalars(select(User.username).join(Notification, Notification.user_id == User.id)
                                      .where(Notification.kind == "audit_chain_broken")))
        recorded = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "audit.verified")
                                     .order_by(AuditEntry.id.desc()).limit(1))
    assert {"admin", "auditor"} <= told
    assert recorded is not None and recorded.details["intact"] is False


def test_the_database_refuses_to_change_or_delete_a_sealed_row(app: Flask) -> None:
    _write_entries(app, 2)
    for statement in ("UPDATE audit_log SET action = 'x' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1"):
        with app.app_context():
            with pytest.raises(DBAPIError):
                db.session.execute(text(statement))
            db.session.rollback()
    assert _verify(app).exit_code == 0


def test_several_writers_at_once_make_one_unbroken_chain(make_app: Callable[[], Flask]) -> None:
    apps = [make_app() for _ in range(2)]  # two "processes"
    errors: list[BaseException] = []

    def writer(application: Flask, number: int) -> None:
        try:
            for round_ in range(5):
                with application.app_context(), unit_of_work():
                    audit.record(None, "test.concurrent", "writer", number, round=round_)
                    audit.record(None, "test.concurrent", "writer", number, round=round_, second=True)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(apps[n % 2], n)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with apps[0].app_context():
        result = chain.verify(db.session())
        written = db.session.scalar(select(func.count()).where(AuditEntry.action == "test.concurrent"))
    assert written == 60
    assert result.intact, result.breaks


def test_rows_past_the_retention_period_are_archived_and_the_chain_goes_on(app: Flask, tmp_path: Any) -> None:
    from freezegun import freeze_time

    _tamper(app, "DELETE FROM audit_log")  # a log that began on 2025-01-10 (not the template's)
    with freeze_time("2025-01-10 08:00:00"):
        _write_entries(app, 4)
    _write_entries(app, 2)
    younger = app.test_cli_runner().invoke(args=["audit", "archive", "--before", "2026-12-01",
                                                 "--to", str(tmp_path / "young.csv")])
    assert younger.exit_code != 0 and "至少保留 183 天" in younger.output
    archived = app.test_cli_runner().invoke(args=["audit", "archive", "--before", "2025-02-01",
                                                  "--to", str(tmp_path / "old.csv")])
    assert archived.exit_code == 0, archived.output
    lines = (tmp_path / "old.csv").read_text("utf-8-sig").splitlines()
    assert len(lines) == 1 + 4 and lines[1].startswith("1,2025-01-10")
    with app.app_context():
        assert db.session.scalar(select(func.min(AuditEntry.seq))) == 5
    assert _verify(app).exit_code == 0  # starts after the archived rows, from the audit.archived entry
    _tamper(app, "DELETE FROM audit_log WHERE seq = 5")  # but a row missing after them is still found
    assert "第 5 条缺失" in _verify(app).output


def test_a_chain_rewritten_wholesale_is_found_against_a_head_kept_outside(app: Flask) -> None:
    _write_entries(app)
    with app.app_context():
        seq, kept = db.session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc())
                                       .limit(1)).one()
    _tamper(app, "UPDATE audit_log SET actor_name = 'forged' WHERE seq = 2")
    with app.app_context():  # the forger recomputes every hash from row 2 on
        prev = db.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == 1))
        for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.seq >= 2).order_by(AuditEntry.seq)):
            entry.prev_hash = prev
            entry.hash = prev = chain.entry_hash(entry, entry.seq or 0, prev or "")
        db.session.commit()
    assert _verify(app).exit_code == 0  # the chain alone cannot tell
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--expect", f"{seq}:{kept}"])
    assert result.exit_code == 1 and "哈希链被整体改写" in result.output


def test_the_break_notice_reads_in_english_on_the_english_pages(app: Flask) -> None:
    """Its body was one Chinese text ("第 2 条的内容与其哈希不符…") whatever the page's language."""
    from app.jobs.audit import verify_audit_log
    from tests.support.web import WebUser

    _write_entries(app)
    _tamper(app, "UPDATE audit_log SET details = '{}' WHERE seq = 2")
    with app.app_context():
        assert verify_audit_log() > 0
    auditor = WebUser(app, "auditor").login()
    assert "第 2 条的内容与其哈希不符" in auditor.html("/notifications")
    auditor.get("/lang/en")
    page = auditor.html("/notifications")
    assert "1 problem(s) found: entry 2" in page and "content does not match its hash" in page and "第 2 条" not in page
