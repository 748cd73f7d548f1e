"""Two enterprises sign 入库信息填报 entering the same deregistered person at the same moment, for real in two
threads (each its own session and connection): one binds him, the other is refused with the reason (422) and
its case waits at its signature; neither case is put in 异常, and the person is bound once."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Organisation, Person
from app.services.tasks import work
from tests.procedures.test_commitment_entry_persons import LIANG_HAI, SIGN, _clerk, _deregister_liang_hai, _entered
from tests.support.api import ApiUser
from tests.support.races import WAIT, in_thread

# Real commits: threads with sessions of their own.
pytestmark = pytest.mark.committing


def test_two_enterprises_signing_the_entry_of_the_same_person_at_once_one_is_refused(
        app: Flask, as_user: Callable[[str], ApiUser], monkeypatch: pytest.MonkeyPatch) -> None:
    nanning, liuzhou = as_user("ent-nanning"), as_user("ent-liuzhou")
    _deregister_liang_hai(app, nanning)
    users = {"nanning": nanning, "liuzhou": liuzhou}
    cases = {name: _entered(user, _clerk(LIANG_HAI, "梁海")) for name, user in users.items()}
    tasks = {name: user.case(cases[name])["open_tasks"][0]["id"] for name, user in users.items()}
    # Both signatures have been read and are about to be checked before either is checked or applied.
    both_signing = threading.Barrier(2, timeout=WAIT)
    real_get_validator = work.get_validator

    def at_once(name: str) -> Any:
        real = real_get_validator(name)
        if name != "commitment.check_sign":
            return real

        def checked_together(ctx: Any) -> Any:
            both_signing.wait()
            return real(ctx)
        return checked_together

    monkeypatch.setattr(work, "get_validator", at_once)
    with in_thread("nanning", lambda: nanning.complete(tasks["nanning"], SIGN)) as first, \
            in_thread("liuzhou", lambda: liuzhou.complete(tasks["liuzhou"], SIGN)) as second:
        pass
    answers = {"nanning": first[0], "liuzhou": second[0]}
    assert sorted(a.status_code for a in answers.values()) == [200, 422], {k: a.json for k, a in answers.items()}
    winner = next(name for name, a in answers.items() if a.status_code == 200)
    loser = next(name for name, a in answers.items() if a.status_code == 422)
    assert answers[loser].json["code"] == "person_entry_changed"
    assert "梁海" in answers[loser].json["message"] and "请撤回后重新填报" in answers[loser].json["message"]
    assert users[winner].case(cases[winner])["status"] == "completed"
    lost = users[loser].case(cases[loser])
    assert lost["status"] == "running" and lost["error_message"] is None
    assert [t["title"] for t in lost["open_tasks"]] == ["签署入库承诺书"]
    names = {"nanning": "广西邕城建设集团有限公司", "liuzhou": "柳州龙城建筑工程有限公司"}
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.id_number_is(LIANG_HAI)))
        assert person is not None and person.status == "in_service"
        assert person.employer_id == db.session.scalar(select(Organisation.id).where(
            Organisation.name == names[winner]))
        bound = db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "record.employer_changed", AuditEntry.object_id == str(person.id)))
        assert bound == 1  # bound once: not by one enterprise and then over by the other
