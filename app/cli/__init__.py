"""Command groups: flask procedures|users|demo|jobs|calendar|exchange|audit|keys."""
import functools
from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

from app.db import transactional
from app.errors import DomainError


def refusals_as_errors(run: Callable[..., Any]) -> Callable[..., Any]:
    """A refusal (a database that does not answer included) is the command's error message (exit 1), not a
    traceback."""

    @functools.wraps(run)
    def command(*args: Any, **kwargs: Any) -> Any:
        try:
            return run(*args, **kwargs)
        except DomainError as refused:
            raise click.ClickException(f"{refused.message} ({refused.code})") from refused
    return command


def _command(run: Callable[..., Any]) -> Callable[..., Any]:
    """One unit of work, its refusal the command's error message."""
    return refusals_as_errors(transactional(run))


class TransactionalGroup(AppGroup):
    """A command group whose commands each run as one unit of work (app.db.transactional): what a command
    changes is committed when it returns and rolled back when it fails."""

    def command(self, *args: Any, **kwargs: Any) -> Any:  # as in click: a decorator (with or without arguments)
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return super().command(_command(args[0]))
        register = super().command(*args, **kwargs)
        return lambda run: register(_command(run))


def register_cli(app: Flask) -> None:
    from app.cli import audit, calendar, demo, exchange, jobs, keys, procedures, users

    for group in (procedures.group, users.group, demo.group, jobs.group, calendar.group, exchange.group, audit.group,
                  keys.group):
        app.cli.add_command(group)
