"""Command groups: flask procedures|users|demo|jobs|calendar|exchange."""
from typing import Any

from flask import Flask
from flask.cli import AppGroup

from app.db import transactional


class TransactionalGroup(AppGroup):
    """A command group whose commands each run as one unit of work (app.db.transactional): what a command
    changes is committed when it returns and rolled back when it fails."""

    def command(self, *args: Any, **kwargs: Any) -> Any:  # as in click: a decorator (with or without arguments)
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return super().command(transactional(args[0]))
        register = super().command(*args, **kwargs)
        return lambda run: register(transactional(run))


def register_cli(app: Flask) -> None:
    from app.cli import calendar, demo, exchange, jobs, procedures, users

    for group in (procedures.group, users.group, demo.group, jobs.group, calendar.group, exchange.group):
        app.cli.add_command(group)
