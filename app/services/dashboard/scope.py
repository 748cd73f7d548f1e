"""What a dashboard request looks at: the region (with its child level for drill-down) and the period."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.dates import FIRST_DAY, LAST_DAY
from app.errors import Message, RuleViolation
from app.extensions import db
from app.models import PROVINCE_CODE, Region

CHINA = ZoneInfo("Asia/Shanghai")
DEFAULT_PERIOD_DAYS = 30
DEFAULT_WEEKS = 12
MAX_WEEKS = 104


def region_level(code: str) -> str:
    if code == PROVINCE_CODE:
        return "province"
    return "city" if code.endswith("00") else "county"


def local_midnight(day: date) -> datetime:
    """00:00 China time of `day`, as an aware UTC datetime."""
    return datetime.combine(day, time.min, tzinfo=CHINA).astimezone(UTC)


def today_in_china(now: datetime) -> date:
    return now.astimezone(CHINA).date()


@dataclass(frozen=True)
class Scope:
    """A region to look at and a period [start, end) of local days, both inclusive in `first`/`last`."""

    region: str
    first: date
    last: date
    now: datetime
    weeks: int = DEFAULT_WEEKS

    @property
    def start(self) -> datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1))

    @property
    def level(self) -> str:
        return region_level(self.region)

    def child_key(self, column: Any) -> Any:
        """SQL: the drill-down key of a region column (a city under the province, else the region itself)."""
        return func.substr(column, 1, 4) if self.level == "province" else column

    def child_code(self, key: str | None) -> str | None:
        """The region code behind a child_key value ('4501' -> '450100')."""
        if key is None:
            return None
        return key + "00" if self.level == "province" else key


def make_scope(region: str, now: datetime, first: date | None = None, last: date | None = None,
               weeks: int | None = None) -> Scope:
    """A scope with defaults: the last 30 days up to today (China time) and 12 weeks of trend; a day
    outside FIRST_DAY..LAST_DAY is refused (RuleViolation naming the fields)."""
    bounds = {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
    given = {"first": first, "last": last}
    outside = {name: Message("应在 {first} 至 {last} 之间", **bounds) for name, day in given.items()
               if day is not None and not FIRST_DAY <= day <= LAST_DAY}
    if outside:
        raise RuleViolation(Message("统计期应在 {first} 至 {last} 之间", **bounds), code="period_out_of_range",
                            details={"fields": outside})
    if weeks is not None:
        weeks = min(max(weeks, 1), MAX_WEEKS)
    last = last or today_in_china(now)
    first = first or last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if first > last:
        first, last = last, first
    return Scope(region=region, first=first, last=last, now=now, weeks=weeks or DEFAULT_WEEKS)


def region_names() -> dict[str, str]:
    return dict(db.session.execute(select(Region.code, Region.name)).all())


def region_title(code: str | None, scope: Scope, names: dict[str, str]) -> str:
    """A label for a drill-down row; the scope's own region reads '本级' (a message the pages translate)."""
    if code is None:
        return "（无）"
    name = names.get(code, code)
    return Message("{name}（本级）", name=name) if code == scope.region else name


def region_path(code: str, names: dict[str, str]) -> list[dict[str, str]]:
    """Breadcrumb from the province down to `code`."""
    path = [PROVINCE_CODE]
    if code != PROVINCE_CODE:
        city = code[:4] + "00"
        path.append(city)
        if code != city:
            path.append(code)
    return [{"code": c, "name": names.get(c, c)} for c in path]
