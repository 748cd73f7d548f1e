"""SQL pieces that differ between PostgreSQL and SQLite: durations, week numbers and percentiles.

Percentiles use the definition of PostgreSQL's percentile_cont (linear interpolation between the two
nearest ranks). PostgreSQL computes them in the aggregate query; SQLite has no ordered-set aggregates,
so there the same rows (keys and hours) are read and interpolated in Python by `percentile_cont` below:
identical numbers on both backends for the same data. The read is bounded by SQLITE_PERCENTILE_ROWS
(SQLite is the development and demo database); beyond it the percentiles are left empty, never guessed.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Float, cast, func, literal, text

from app.db import UTCDateTime
from app.extensions import db

SQLITE_PERCENTILE_ROWS = 500_000


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def hours_between(start: Any, end: Any) -> Any:
    """SQL: the hours from `start` to `end` (calendar time) as a float."""
    if is_postgres():  # date_part gives a double; extract() a slower numeric
        return func.date_part("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def week_number(column: Any, first_monday: datetime) -> Any:
    """SQL: whole weeks from `first_monday` (a China-time midnight) to a timestamp: 0 for the first week.

    Plain arithmetic on instants, so it needs no time-zone conversion per row and runs the same on both
    backends; the caller filters the rows to [first_monday, first_monday + n weeks).
    """
    return func.floor(hours_between(literal(first_monday, UTCDateTime()), column) / 168.0)


def percentile_cont(values: Sequence[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont over already sorted values."""
    if not values:
        return None
    position = fraction * (len(values) - 1)
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


def pg_percentile(fraction: float, expression: Any) -> Any:
    return cast(func.percentile_cont(fraction).within_group(expression), Float)


def prepare_session() -> None:
    """PostgreSQL: no JIT for the rest of this transaction.

    The planner overestimates the per-row lookups of a dashboard query and JIT-compiles it, which costs
    100-200 ms for a query that runs in 20-60 ms; the aggregates here are short and never profit from JIT.
    """
    if is_postgres():
        db.session.execute(text("SET LOCAL jit = off"))
