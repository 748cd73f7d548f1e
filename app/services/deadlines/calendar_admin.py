"""Maintain the calendar table: seed official years from chinesecalendar, admin edits, confirm a year.

Confirming a year (or seeding it) recomputes every provisional (暂定) deadline that crossed it. A day set
or cleared recomputes the open deadlines across it. Every change is logged in calendar_changes before the
deadlines are recomputed: the newest change's id is the signature by which every process's calendar cache
(calendar.current_calendar) notices the change, this transaction's own recomputation included.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import chinese_calendar
from sqlalchemy import insert, select

from app.dates import FIRST_DAY, LAST_DAY
from app.db import utcnow
from app.errors import InvalidForm, Message, RuleViolation
from app.extensions import db
from app.models import Actor, CalendarChange, CalendarChangeAction, CalendarDay, CalendarSource, CalendarYear
from app.policy import require_province_admin
from app.services import audit
from app.services.deadlines import clocks, timer_moves
from app.services.deadlines.limits import LOCAL_TZ

HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
MAKE_UP_DAY = "{holiday}调休上班"  # an official make-up workday's name (the page shows it in its language)
SEEDED = "{days} 天，新增年度 {years} 个"  # what an import of the official days changed (its log entry's name)
# The years the calendar covers: those whose days can be saved (as searches clamp their days), the page's only ones.
FIRST_YEAR, LAST_YEAR = FIRST_DAY.year, LAST_DAY.year
YEARS_COVERED = "工作日历只能查看和录入 {first} 至 {last} 年"
DAYS_COVERED = "日期应在 {first} 至 {last} 之间"  # (the page says it too, before it calls set_day or clear_day)
NOTHING_TO_CLEAR = "{day} 没有单独设置的安排，无需清除"  # clear_day on a date without an entry: nothing recorded


@dataclass(frozen=True)
class SeedOutcome:
    years: list[int]
    days_written: int
    cases_recomputed: int  # cases whose deadlines or timers the new years and the changed days moved


def _official_days() -> dict[date, tuple[bool, str]]:
    """Every holiday and make-up workday the library knows: date -> (is a working day, name)."""
    days: dict[date, tuple[bool, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        days[day] = (False, HOLIDAY_NAMES.get(str(name), str(name)))
    for day, name in chinese_calendar.workdays.items():
        label = HOLIDAY_NAMES.get(str(name), str(name))
        days[day] = (True, MAKE_UP_DAY.format(holiday=label))
    return days


def seed_official_calendar() -> SeedOutcome:
    """Write the library's years into the table; an admin's own entries for a date are kept. New years recompute
    the provisional deadlines that reached them; a day of a year already known whose kind changed (a holiday or
    make-up day added, or corrected, by a newer library) recomputes the deadlines running across it."""
    official = _official_days()
    existing = {row.day: row for row in db.session.scalars(select(CalendarDay))}
    known = set(db.session.scalars(select(CalendarYear.year)))
    new_rows, corrected, changed = [], 0, []
    for day, (workday, name) in sorted(official.items()):
        row = existing.get(day)
        before = (day.weekday() < 5) if row is None else row.workday  # a date without an entry follows the week
        if row is None:
            new_rows.append({"day": day, "workday": workday, "name": name, "source": CalendarSource.OFFICIAL,
                             "updated_at": utcnow()})
        elif row.source != CalendarSource.ADMIN and (row.workday, row.name) != (workday, name):
            row.workday, row.name, row.updated_at = workday, name, utcnow()
            corrected += 1
        else:
            continue
        if day.year in known and before != workday:
            changed.append(day)
    if new_rows:
        db.session.execute(insert(CalendarDay), new_rows)
    written = len(new_rows) + corrected
    new_years = sorted({d.year for d in official} - known)
    for year in new_years:
        db.session.add(CalendarYear(year=year, source=CalendarSource.OFFICIAL))
    recomputed = 0
    if written or new_years:  # every process's calendar cache notices a new change (calendar._SIGNATURE)
        change = _log(None, CalendarChangeAction.SEED_OFFICIAL, name=SEEDED.format(days=written, years=len(new_years)),
                      counts={"days": written, "years": len(new_years)})
        moved: set[int] = set()
        if new_years:
            moved |= clocks.recompute_provisional_cases(cause={"years": new_years})
            moved |= _move_timers(datetime.combine(date(new_years[0], 1, 1), time.min, tzinfo=LOCAL_TZ),
                                  {"years": new_years})
        for day in changed:
            moved |= _recompute_day(day, {"day": day.isoformat(), "workday": official[day][0],
                                          "name": official[day][1]})
        recomputed = change.recomputed = len(moved)
    db.session.flush()
    return SeedOutcome(new_years, written, recomputed)


def _move_timers(after: datetime, cause: dict[str, Any]) -> set[int]:
    return timer_moves.reschedule_working_day_timers(after, cause)


def _recompute_day(day: date, cause: dict[str, Any]) -> set[int]:
    """The deadlines across a day whose kind changed, and the working-day timers counted across it: the
    cases moved."""
    moved = clocks.recompute_spanning_cases(day, cause)
    if date.min < day < date.max:
        moved |= _move_timers(datetime.combine(day, time.min, tzinfo=LOCAL_TZ), cause)
    return moved


def _entry(row: CalendarDay | None) -> dict[str, Any] | None:
    return None if row is None else {"workday": row.workday, "name": row.name, "source": row.source}


def _log(actor: Actor | None, action: str, day: date | None = None, year: int | None = None,
         workday: bool | None = None, name: str = "", previous: dict[str, Any] | None = None,
         counts: dict[str, int] | None = None) -> CalendarChange:
    """Log a change (flushed: from now on the calendar's signature is new, in this transaction too); the
    caller fills in how many deadlines it moved. `counts`: what an import wrote, for its audit entry."""
    change = CalendarChange(action=action, day=day, year=year, workday=workday, name=name, previous=previous,
                            recomputed=0, actor_id=actor.id if actor else None)
    db.session.add(change)
    db.session.flush()
    audit.record(actor, f"calendar.{action}", "calendar", day.isoformat() if day else (year or ""),
                 **(counts if counts is not None else audit.changed(
                     previous or {}, {"workday": workday, "name": name} if day else {"year": year})))
    return change


MAX_DAY_NAME = 50  # calendar_days.name


def _require_covered(day: date) -> None:
    """A day outside FIRST_DAY..LAST_DAY is refused: no deadline runs so far, and a day on from 9999-12-31
    overflows (the page refuses it first; the CLI relies on this)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise RuleViolation(Message(DAYS_COVERED, first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()),
                            code="calendar_day_out_of_range")


def set_day(actor: Actor | None, day: date, workday: bool, name: str = "") -> CalendarDay:
    """An admin marks a date as a working day or a rest day (None: the system, i.e. the CLI). Open
    deadlines running across the date are recomputed, and the change is logged. A date outside
    FIRST_DAY..LAST_DAY is refused (calendar_day_out_of_range)."""
    if actor is not None:
        require_province_admin(actor)
    _require_covered(day)
    if len(name.strip()) > MAX_DAY_NAME:  # it was cut silently: the admin's text must be his, whole
        raise InvalidForm({"name": Message("名称最多 {n} 个字", n=MAX_DAY_NAME)},
                          message=Message("名称最多 {n} 个字", n=MAX_DAY_NAME))
    row = db.session.get(CalendarDay, day)
    previous = _entry(row)
    if row is None:
        row = CalendarDay(day=day)
        db.session.add(row)
    row.workday, row.name, row.source = workday, name.strip(), CalendarSource.ADMIN
    row.updated_at, row.updated_by_id = utcnow(), actor.id if actor else None
    change = _log(actor, CalendarChangeAction.SET_DAY, day=day, workday=workday, name=row.name, previous=previous)
    change.recomputed = len(_recompute_day(day, {"day": day.isoformat(), "workday": workday, "name": row.name}))
    return row


def clear_day(actor: Actor | None, day: date) -> bool:
    """Remove an entry: the date follows the week again (deadlines across it recomputed, change logged); a date
    outside FIRST_DAY..LAST_DAY is refused. False: the date had no entry, nothing was changed or recorded."""
    if actor is not None:
        require_province_admin(actor)
    _require_covered(day)
    row = db.session.get(CalendarDay, day)
    if row is None:
        return False
    previous = _entry(row)
    db.session.delete(row)
    change = _log(actor, CalendarChangeAction.CLEAR_DAY, day=day, previous=previous)
    change.recomputed = len(_recompute_day(day, {"day": day.isoformat(), "cleared": True}))
    return True


def confirm_year(actor: Actor | None, year: int) -> int:
    """Declare a year's arrangement complete; recompute provisional deadlines. Returns how many."""
    if actor is not None:
        require_province_admin(actor)
    if not FIRST_YEAR <= year <= LAST_YEAR:  # no day of it can be saved (the page offers no such year either)
        raise RuleViolation(Message(YEARS_COVERED, first=FIRST_YEAR, last=LAST_YEAR), code="calendar_year_out_of_range")
    if db.session.get(CalendarYear, year) is None:
        db.session.add(CalendarYear(year=year, source=CalendarSource.ADMIN,
                                    confirmed_by_id=actor.id if actor else None))
    change = _log(actor, CalendarChangeAction.CONFIRM_YEAR, year=year)
    moved = clocks.recompute_provisional_cases(cause={"years": [year]})
    moved |= _move_timers(datetime.combine(date(year, 1, 1), time.min, tzinfo=LOCAL_TZ), {"years": [year]})
    change.recomputed = len(moved)
    return change.recomputed


def list_days(year: int) -> list[CalendarDay]:
    return list(db.session.scalars(select(CalendarDay).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)).order_by(CalendarDay.day)))


def known_years() -> list[CalendarYear]:
    return list(db.session.scalars(select(CalendarYear).order_by(CalendarYear.year)))


def recent_changes(limit: int = 30) -> list[CalendarChange]:
    """The latest changes to the calendar, newest first (the admin page's log)."""
    return list(db.session.scalars(select(CalendarChange).order_by(CalendarChange.id.desc()).limit(limit)))
