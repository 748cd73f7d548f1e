"""Access to the service-task handlers and form choice providers registered in handlers/.

Imported lazily: handlers/ itself uses the services to change domain data.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.models import Case, User


@dataclass
class HandlerContext:
    """What a handler receives: the case (it may set region/title), who acted, the task data."""

    case: Case
    actor: User | None
    data: dict[str, Any]
    session: Session
    notes: list[str] = field(default_factory=list)


@dataclass
class ChoiceContext:
    """What a choice provider receives to list the options of a form field for a user."""

    actor: User
    case: Case | None
    session: Session


Handler = Callable[..., dict[str, Any] | None]
ChoiceProvider = Callable[[ChoiceContext], list[tuple[Any, str]]]


def _registry() -> Any:
    import handlers  # noqa: PLC0415 - lazy: handlers import the services

    return handlers


def handler_names() -> set[str]:
    return set(_registry().HANDLERS)


def get_handler(name: str) -> Handler:
    return _registry().HANDLERS[name]


def get_choice_provider(name: str) -> ChoiceProvider | None:
    return _registry().CHOICES.get(name)


FormValidator = Callable[[HandlerContext], dict[str, str]]


def validator_names() -> set[str]:
    return set(_registry().VALIDATORS)


def get_validator(name: str) -> FormValidator:
    return _registry().VALIDATORS[name]


def choice_names() -> set[str]:
    return set(_registry().CHOICES)
