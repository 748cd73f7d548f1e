"""flask jobs fire-timers | refresh-deadlines: run a periodic job of the worker once, by hand (a stopped worker,
GJY_WORKER=off, or an operator who will not wait for the next round)."""
import click
from flask.cli import AppGroup

from app.cli import refusals_as_errors
from app.jobs.sla import refresh_deadline_states
from app.jobs.timers import fire_due_timers

group = AppGroup("jobs", help="后台任务 (background jobs)")


@group.command("fire-timers")
@refusals_as_errors  # each case's timers are a unit of work of their own (fire_due_timers)
def fire_timers() -> None:
    """Fire every due timer now."""
    click.echo(f"fired {fire_due_timers()} case(s)")


@group.command("refresh-deadlines")
@refusals_as_errors
def refresh_deadlines() -> None:
    """Move warnings and overdue states (and their notices) now."""
    click.echo(f"{refresh_deadline_states()} deadline state(s) changed")
