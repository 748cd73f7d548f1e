"""flask jobs fire-timers: run due BPMN timers once (what the worker does periodically)."""
import click
from flask.cli import AppGroup

from app.cli import refusals_as_errors
from app.jobs.timers import fire_due_timers

group = AppGroup("jobs", help="后台任务 (background jobs)")


@group.command("fire-timers")
@refusals_as_errors  # each case's timers are a unit of work of their own (fire_due_timers)
def fire_timers() -> None:
    """Fire every due timer now."""
    click.echo(f"fired {fire_due_timers()} case(s)")
