"""`flask users token USER` is an action of the command line, as every other command's (the system, actor None):
the account change and the audit entry name no actor, and the user as the account changed."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AccountChange, AuditEntry
from app.services.identity.accounts import get_user_by_username


def test_a_token_issued_from_the_cli_is_recorded_as_the_system_s_action(app: Flask) -> None:
    ran = app.test_cli_runner().invoke(args=["users", "token", "ent-nanning", "--days", "30", "--scope", "read"])
    assert ran.exit_code == 0, ran.output
    with app.app_context():
        user = get_user_by_username("ent-nanning")
        change = db.session.scalars(select(AccountChange).where(AccountChange.action == "token_issued")
                                    .order_by(AccountChange.id.desc())).first()
        assert change is not None
        assert change.actor_id is None and change.target_user_id == user.id
        assert change.details["days"] == 30 and change.details["scopes"] == "read"
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.token_issued")
                                   .order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        assert entry.actor_id is None and entry.actor_name == ""
        assert entry.object_type == "user" and entry.object_id == str(user.id)
        assert entry.details["target"] == "ent-nanning"
