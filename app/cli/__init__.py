"""Command groups: flask procedures|users|demo|jobs|calendar."""
from flask import Flask

from app.cli import calendar, demo, jobs, procedures, users


def register_cli(app: Flask) -> None:
    for group in (procedures.group, users.group, demo.group, jobs.group, calendar.group):
        app.cli.add_command(group)
