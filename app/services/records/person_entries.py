"""Persons an enterprise enters by hand (入库信息填报), held by the case that signs for them: of two enterprises
entering the same person (new to the system, or deregistered) at the same moment, one binds him and the other
is refused when it signs, with the reason, instead of failing in the step that applies the entries."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.crypto import lookup_hash
from app.errors import Message, RuleViolation
from app.extensions import db
from app.models import Case, Person
from app.services.cases import subjects

# The persons a signing commitment holds, by the keyed hash of their ID numbers (never the number itself):
# claimed when the signature is checked, released when the entries are applied (or the case closes).
SCOPE = "person_entry"
IN_PROGRESS = "{name}正由其他单位办理入库，请稍后再签署"


def _subject(id_number: str) -> str:
    return f"id:{lookup_hash(id_number.strip().upper())}"


def hold(case: Case, persons: Iterable[tuple[str, str]]) -> None:
    """Hold the persons (ID number, name) for the case until its step commits: a concurrent signing that holds
    one of them is waited for (PostgreSQL waits on its claim, SQLite's writers take turns), so that what is
    read of them afterwards is what that signing left. Their records are read again (not the session's copies);
    a person another open case holds still (its entries not applied) is refused (person_entry_in_progress)."""
    entered = list(persons)
    wanted = {_subject(number): name for number, name in entered}
    if not wanted:
        return
    try:
        subjects.claim(case, SCOPE, sorted(wanted), IN_PROGRESS, values={"name": ""})
    except RuleViolation as refusal:
        if refusal.code != "duplicate_open_case":
            raise
        held = subjects.claims(case, SCOPE, sorted(wanted)).others
        name = next((wanted[s] for s in sorted(held)), next(iter(wanted.values())))
        raise RuleViolation(Message(IN_PROGRESS, name=name), code="person_entry_in_progress") from None
    for number, _name in entered:
        db.session.execute(select(Person).where(Person.id_number_is(number))
                           .execution_options(populate_existing=True)).all()


def release(case: Case) -> None:
    """The case's entries are applied: the persons are bound (or created), no longer held."""
    subjects.release(case, SCOPE)
