"""The working-day calendar page (admins only): a year's holidays and make-up days, edit, confirm the year."""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.dates import FIRST_DAY, LAST_DAY
from app.db import utcnow
from app.errors import InvalidForm
from app.policy import is_province_admin, require_admin, require_province_admin
from app.routing import ID
from app.services.deadlines import calendar_admin
from app.services.deadlines.limits import LOCAL_TZ
from app.web.i18n import gettext as _

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")
_SEEDED = re.compile(re.escape(calendar_admin.SEEDED).replace(r"\{days\}", r"(?P<days>\d+)")
                     .replace(r"\{years\}", r"(?P<years>\d+)"))
_MAKE_UP = calendar_admin.MAKE_UP_DAY.removeprefix("{holiday}")
# The years whose days can be saved (set_day's range, as searches clamp their days): the page offers no other.
FIRST_YEAR, LAST_YEAR = calendar_admin.FIRST_YEAR, calendar_admin.LAST_YEAR
_NUMBER = re.compile(r"-?[0-9]+")


def official_name(name: str) -> str:
    """An official day's name (written by the import, from the library's holidays) in the page's language."""
    if name.endswith(_MAKE_UP) and name != _MAKE_UP:
        return _(calendar_admin.MAKE_UP_DAY, holiday=_(name.removesuffix(_MAKE_UP)))
    return _(name)


def seeded_text(name: str) -> str:
    """The log's "N 天，新增年度 M 个" of an import, in the page's language."""
    found = _SEEDED.fullmatch(name)
    return _(calendar_admin.SEEDED, **found.groupdict()) if found else name


def _asked_year(value: str | None) -> int | None:
    """The year a URL asks for, None when it asks for none (or not in ASCII digits: this year is shown)."""
    text = (value or "").strip()
    if not _NUMBER.fullmatch(text):
        return None
    if len(text.lstrip("-").lstrip("0")) > 4:  # far out either way (and int() refuses thousands of digits)
        return FIRST_YEAR - 1 if text.startswith("-") else LAST_YEAR + 1
    return int(text)


def _nearest_year(year: int) -> int:
    return min(max(year, FIRST_YEAR), LAST_YEAR)


def _out_of_range(year: int) -> ResponseReturnValue:
    """A year the page does not show (every save of its days would be refused): said, and the nearest one shown."""
    flash(_(calendar_admin.YEARS_COVERED, first=FIRST_YEAR, last=LAST_YEAR), "warning")
    return redirect(url_for("calendar.index", year=_nearest_year(year)))


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    actor = session_actor()
    require_admin(actor)
    asked = _asked_year(request.args.get("year"))
    if asked is not None and _nearest_year(asked) != asked:
        return _out_of_range(asked)
    year = _nearest_year(utcnow().astimezone(LOCAL_TZ).year if asked is None else asked)
    known = {y.year: y for y in calendar_admin.known_years()}
    return render_template("calendar/index.html", year=year, days=calendar_admin.list_days(year),
                           confirmed=known.get(year), known_years=sorted(known),
                           changes=calendar_admin.recent_changes(), official_name=official_name,
                           seeded_text=seeded_text, first_year=FIRST_YEAR, last_year=LAST_YEAR,
                           may_change=is_province_admin(actor))  # the calendar all cities share: a city admin reads it


@bp.post("/days")
@login_required
def set_day() -> ResponseReturnValue:
    actor = session_actor()
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        flash(_("日期格式应为 YYYY-MM-DD"), "danger")
        return redirect(url_for("calendar.index", year=request.form.get("year")))
    if not FIRST_DAY <= day <= LAST_DAY:  # no deadline runs so far (and a day on from 9999-12-31 overflows)
        flash(_("日期应在 {first} 至 {last} 之间", first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()), "danger")
        return redirect(url_for("calendar.index", year=request.form.get("year")))
    kind = request.form.get("kind")
    if kind == "clear":
        if not calendar_admin.clear_day(actor, day):  # nothing changed, nothing recorded: said as such
            flash(_(calendar_admin.NOTHING_TO_CLEAR, day=day.isoformat()), "info")
            return redirect(url_for("calendar.index", year=day.year))
    else:
        try:
            calendar_admin.set_day(actor, day, kind == "workday", request.form.get("name", ""))
        except InvalidForm as refused:  # nothing written: said on the page
            flash(_(refused.message), "danger")
            return redirect(url_for("calendar.index", year=day.year))
    moved = calendar_admin.recent_changes(1)[0].recomputed
    flash(_("{day} 已更新，{count} 个办件的办理时限已按新日历重新计算", day=day.isoformat(), count=moved), "success")
    return redirect(url_for("calendar.index", year=day.year))


@bp.post(f"/years/<{ID}:year>/confirm")
@login_required
def confirm(year: int) -> ResponseReturnValue:
    actor = session_actor()
    require_province_admin(actor)  # (refused before the year is looked at, as the service would)
    if _nearest_year(year) != year:  # no day of it can be saved: nothing to confirm
        return _out_of_range(year)
    count = calendar_admin.confirm_year(actor, year)
    flash(_("{year} 年安排已确认，{count} 个办件的暂定期限已重新计算", year=year, count=count), "success")
    return redirect(url_for("calendar.index", year=year))
