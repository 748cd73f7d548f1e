"""The one shape every dashboard table takes: named columns with Chinese titles and plain rows.

The API returns it as JSON, the page renders it and the exports write it, so all three show the same
numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = "text"  # text | int | rate | hours | date | link


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int | None = None  # rows in the database when `rows` is a first page (overdue lists)

    def values(self) -> list[list[Any]]:
        return [[row.get(c.key) for c in self.columns] for row in self.rows]


def rate(numerator: int, denominator: int) -> float | None:
    """A share rounded to 4 places (0.8333), None when nothing was measured."""
    return round(numerator / denominator, 4) if denominator else None


def hours(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


REGION_COLUMNS = [Column("region_code", "地区代码"), Column("region_name", "地区")]
STAT_COLUMNS = [
    Column("completed", "办结数", "int"), Column("measured", "计时办结数", "int"),
    Column("on_time", "按时办结", "int"), Column("late", "超期办结", "int"),
    Column("on_time_rate", "按时办结率", "rate"),
    Column("median_hours", "办理时长中位数（小时）", "hours"),
    Column("p90_hours", "办理时长P90（小时）", "hours"),
]


def json_value(value: Any) -> Any:
    """Dates and timestamps as ISO 8601 text for JSON."""
    return value.isoformat() if isinstance(value, date | datetime) else value


def json_rows(table: Table) -> list[dict[str, Any]]:
    return [{k: json_value(v) for k, v in row.items()} for row in table.rows]
