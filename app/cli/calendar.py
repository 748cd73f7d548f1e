"""flask calendar seed|set|clear|confirm|show: the working-day calendar (工作日历)."""
from datetime import date

import click

from app.cli import TransactionalGroup
from app.services.deadlines import calendar_admin

group = TransactionalGroup("calendar", help="工作日历：法定节假日与调休 (working-day calendar)")


@group.command("seed")
def seed() -> None:
    """Load every year the chinesecalendar library knows (official State Council arrangements)."""
    outcome = calendar_admin.seed_official_calendar()
    years = f"{outcome.years[0]}–{outcome.years[-1]}" if outcome.years else "none new"
    click.echo(f"calendar seeded: {outcome.days_written} day(s) written, years added: {years}, "
               f"cases whose provisional deadlines were recomputed: {outcome.cases_recomputed}")


@group.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("kind", type=click.Choice(["holiday", "workday"]))
@click.option("--name", default="", help="e.g. 元旦, 春节调休上班, 台风停工")
def set_day(day: click.DateTime, kind: str, name: str) -> None:
    """Mark DAY (YYYY-MM-DD, 2000-01-01 to 2099-12-31) as a holiday (rest day) or a workday (e.g. a make-up
    Saturday)."""
    the_day: date = day.date()  # type: ignore[attr-defined]
    calendar_admin.set_day(None, the_day, kind == "workday", name)
    click.echo(f"{the_day.isoformat()}\t{kind}\t{name}")


@group.command("clear")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
def clear(day: click.DateTime) -> None:
    """Remove the entry for DAY: it follows the week again."""
    the_day: date = day.date()  # type: ignore[attr-defined]
    if calendar_admin.clear_day(None, the_day):
        click.echo("cleared")
    else:  # nothing was changed or recorded
        click.echo(f"{the_day.isoformat()} has no entry of its own: nothing to clear")


@group.command("confirm")
@click.argument("year", type=int)
def confirm(year: int) -> None:
    """Declare YEAR's arrangement complete; provisional (暂定) deadlines are recomputed."""
    count = calendar_admin.confirm_year(None, year)
    click.echo(f"{year} confirmed; provisional deadlines recomputed in {count} case(s)")


@group.command("show")
@click.argument("year", type=int)
def show(year: int) -> None:
    """List YEAR's holidays and make-up workdays."""
    known = {y.year for y in calendar_admin.known_years()}
    days = calendar_admin.list_days(year)
    click.echo(f"{year}: {'confirmed' if year in known else 'NOT confirmed (deadlines provisional)'}")
    for row in days:
        click.echo(f"{row.day.isoformat()}\t{'workday' if row.workday else 'holiday'}\t{row.source}\t{row.name}")
