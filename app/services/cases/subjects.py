"""One open application per subject: the subjects an open case claims (case_subjects), checked by an
indexed query for a friendly refusal and claimed by an INSERT that the table's primary key decides, so that
of two concurrent submissions only one gets the subject."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.orm import lazyload

from app.db import UpsertStatement, table_of
from app.errors import Message, RuleViolation, StaleCase
from app.extensions import db
from app.models import Case, CaseSubject

# The holding case without its applicant organisation joined in (the callers read its number and data).
_HOLDER = (select(Case).join(CaseSubject, CaseSubject.case_id == Case.id).options(lazyload(Case.applicant))
           .where(CaseSubject.scope == bindparam("scope"),
                  CaseSubject.subject.in_(bindparam("subjects", expanding=True)),
                  CaseSubject.case_id != bindparam("exclude"))
           .order_by(Case.id).limit(1))
_HELD = select(CaseSubject.subject).where(CaseSubject.case_id == bindparam("case"),
                                          CaseSubject.scope == bindparam("scope"))


def holder(scope: str, subjects: Iterable[str], exclude_case_id: int | None = None) -> Case | None:
    """The open case that claims one of `subjects` in `scope` (not the excluded one), if any."""
    wanted = list(subjects)
    if not wanted:
        return None
    return db.session.scalar(_HOLDER, {"scope": scope, "subjects": wanted, "exclude": exclude_case_id or 0})


# A case's claims in a scope and other cases' claims on the subjects it wants, in one statement.
_CLAIMS = select(CaseSubject.subject, CaseSubject.case_id).where(
    CaseSubject.scope == bindparam("scope"),
    or_(CaseSubject.case_id == bindparam("case"), CaseSubject.subject.in_(bindparam("subjects", expanding=True))))


@dataclass
class Claims:
    """What `claims` read: the subjects the case claims in the scope, and the other open cases claiming the
    subjects it wants (by subject)."""

    held: set[str] = field(default_factory=set)
    others: dict[str, int] = field(default_factory=dict)

    def holder(self) -> Case | None:
        """The open case that claims one of the wanted subjects (the first, as `holder` finds it)."""
        return db.session.get(Case, min(self.others.values())) if self.others else None


def claims(case: Case, scope: str, subjects: Iterable[str]) -> Claims:
    """The case's claims in `scope` and other open cases' claims on `subjects`: a check of the subjects (by
    `Claims.holder`) and then `claim` of them read them once. A subject the case claims is no other's (the
    primary key)."""
    found = Claims()
    for subject, case_id in db.session.execute(_CLAIMS, {"scope": scope, "case": case.id, "subjects": list(subjects)}):
        if case_id == case.id:
            found.held.add(subject)
        else:
            found.others[subject] = case_id
    return found


_SUBJECTS = table_of(CaseSubject)
# One statement decides a race: a subject another open case holds is not inserted (PostgreSQL waits for a
# concurrent insert of the same key to commit or roll back first; SQLite's writers take turns).
_CLAIM = UpsertStatement(lambda insert: insert(_SUBJECTS).on_conflict_do_nothing(
    index_elements=[_SUBJECTS.c.scope, _SUBJECTS.c.subject]).returning(_SUBJECTS.c.subject))


def claim(case: Case, scope: str, subjects: Iterable[str], refusal: str, known: Claims | None = None,
          values: Mapping[str, object] | None = None) -> None:
    """Make `subjects` the case's claims in `scope` (replacing what it claimed before). A subject claimed by
    another open case, found now or when two submissions race, is refused with `refusal` (RuleViolation
    duplicate_open_case, naming the other case: a message template filled with `values` and the case's `{number}`,
    so the pages and the API's English translate it); one this very case claimed in a concurrent step (the same
    form sent twice at once) is a conflict (StaleCase, 409). `known`: what `claims` read of the case's claims in this
    unit of work (not read again)."""
    wanted = set(subjects)
    if case.id is None:  # a case not stored (a sandbox run's stand-in): checked against the open cases, holds none
        other = holder(scope, sorted(wanted))
        if other is not None:
            raise _refused(refusal, values, other)
        return
    held = set(known.held) if known is not None else set(db.session.scalars(_HELD, {"case": case.id, "scope": scope}))
    if held - wanted:
        db.session.execute(delete(CaseSubject).where(
            CaseSubject.case_id == case.id, CaseSubject.scope == scope, CaseSubject.subject.in_(held - wanted)))
    new = sorted(wanted - held)
    if not new:
        return
    claimed = db.session.execute(_CLAIM(db.session()), [{"scope": scope, "subject": s, "case_id": case.id}
                                                        for s in new]).scalars().all()
    if len(claimed) < len(new):
        other = holder(scope, new, case.id)
        if other is None:  # no other case: a concurrent step of this very case (a form sent twice) claimed first
            raise StaleCase()
        raise _refused(refusal, values, other)


def _refused(refusal: str, values: Mapping[str, object] | None, other: Case) -> RuleViolation:
    return RuleViolation(Message(refusal, **{**(values or {}), "number": other.number}), code="duplicate_open_case",
                         details={"case_number": other.number})


def release(case: Case, scope: str | None = None) -> None:
    """The case no longer claims its subjects (it closed, or no longer applies for them)."""
    query = delete(CaseSubject).where(CaseSubject.case_id == case.id)
    if scope is not None:
        query = query.where(CaseSubject.scope == scope)
    db.session.execute(query)
