"""Weekly trend (weeks start on Monday, China time): cases received (received_at: submitted, not drafts
opened), completed and completed late; a case counts as completed in the week of its decision (a temporary
unlock decided on Monday and re-locked weeks later: that Monday's week; finished.py)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select

from app.extensions import db
from app.services.dashboard.finished import finished_cases, received_cases
from app.services.dashboard.scope import Scope, local_midnight
from app.services.dashboard.sql import week_number
from app.services.dashboard.tables import Column, Table, rate

COLUMNS = [Column("week", "周（起始日）", "date"), Column("received", "收件数", "int"),
           Column("completed", "办结数", "int"), Column("completed_late", "超期办结数", "int"),
           Column("late_rate", "超期办结占比", "rate")]


def weeks_of(scope: Scope) -> list[date]:
    """The Mondays of the `scope.weeks` weeks ending with the week of the period's last day."""
    last_monday = scope.last - timedelta(days=scope.last.weekday())
    return [last_monday - timedelta(weeks=n) for n in range(scope.weeks - 1, -1, -1)]


def weekly_trend(scope: Scope) -> Table:
    mondays = weeks_of(scope)
    start, end = local_midnight(mondays[0]), local_midnight(mondays[-1] + timedelta(days=7))
    receipts = received_cases(start, end, scope.region)  # drafts never submitted are not received
    received_week = week_number(receipts.c.received_at, start)
    received = db.session.execute(
        select(received_week, func.count()).select_from(receipts).group_by(received_week)).all()
    finished = finished_cases(start, end, scope.region, received_only=False)
    completed_week = week_number(finished.c.finished_at, start)
    late = func.sum(case((finished.c.deadline_state == "completed_late", 1), else_=0))
    completed = db.session.execute(
        select(completed_week, func.count(), late).select_from(finished).group_by(completed_week)).all()
    rows: dict[date, dict[str, Any]] = {m: {"week": m, "received": 0, "completed": 0, "completed_late": 0}
                                        for m in mondays}
    for week, count in received:
        rows[mondays[int(week)]]["received"] = count
    for week, count, late in completed:
        rows[mondays[int(week)]].update(completed=count, completed_late=int(late or 0))
    for row in rows.values():
        row["late_rate"] = rate(row["completed_late"], row["completed"])
    return Table("trend", "每周趋势（收件、办结、超期办结）", COLUMNS, [rows[m] for m in mondays])
