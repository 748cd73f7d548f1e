"""SQL pieces that differ between PostgreSQL and SQLite: durations, week buckets and percentiles.

Percentiles use the definition of PostgreSQL's percentile_cont (linear interpolation between the two
nearest ranks). PostgreSQL computes them in the aggregate query; SQLite has no ordered-set aggregates,
so there the same rows (keys and hours, bounded by SQLITE_PERCENTILE_ROWS) are read and interpolated in
Python by `percentile_cont` below: identical numbers on both backends for the same data.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Float, cast, func, literal_column

from app.extensions import db

SQLITE_PERCENTILE_ROWS = 500_000


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def hours_between(start: Any, end: Any) -> Any:
    """SQL: the hours from `start` to `end` (calendar time) as a float."""
    if is_postgres():
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def week_start(column: Any) -> Any:
    """SQL: the Monday (China time) of the week a timestamp falls in."""
    if is_postgres():
        local = literal_column("'Asia/Shanghai'")
        return func.date(func.date_trunc("week", func.timezone(local, column)))
    return func.date(column, "+8 hours", "weekday 0", "-6 days")


def as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def percentile_cont(values: Sequence[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont over already sorted values."""
    if not values:
        return None
    position = fraction * (len(values) - 1)
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


def pg_percentile(fraction: float, expression: Any) -> Any:
    return cast(func.percentile_cont(fraction).within_group(expression), Float)
