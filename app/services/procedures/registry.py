"""The registry of service-task handlers, form choice providers and form validators, by name.

A BPMN service task names a handler ("unlock.release_locks"); a form field names a choice provider in
"x-choices"; a user task may name a validator in its "validator" property. handlers/ fills a
`HandlerRegistry` with its decorators; the application factory installs it (`install`), and the services
read it from the app: the services never import handlers/ (handlers/ imports the services).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy.orm import Session

from app.models import Actor, Case

_EXTENSION = "gjy_handlers"


@dataclass
class HandlerContext:
    """What a handler receives: the case (it may set region/title), who acted, the task data."""

    case: Case
    actor: Actor | None
    data: dict[str, Any]
    session: Session
    notes: list[str] = field(default_factory=list)


@dataclass
class ChoiceContext:
    """What a choice provider receives to list the options of a form field for a user."""

    actor: Actor
    case: Case | None
    session: Session


Handler = Callable[..., dict[str, Any] | None]
ChoiceProvider = Callable[[ChoiceContext], list[tuple[Any, str]]]
FormValidator = Callable[[HandlerContext], dict[str, str]]
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class HandlerRegistry:
    """Handlers, choice providers and validators by name; each name registered once."""

    handlers: dict[str, Handler] = field(default_factory=dict)
    choices: dict[str, ChoiceProvider] = field(default_factory=dict)
    validators: dict[str, FormValidator] = field(default_factory=dict)
    # The names a handler adds to the case data (a start handler's derived facts, `ctx.data`): deploy lets
    # conditions and scripts read them.
    provides: dict[str, frozenset[str]] = field(default_factory=dict)
    # The templates of the texts the procedures store in Chinese (a case's title, a lock's state ...), by which the
    # English pages read them back (app.services.stored_texts); each once, in the order registered.
    stored_texts: tuple[str, ...] = ()

    def handler(self, name: str, provides: tuple[str, ...] = ()) -> Callable[[F], F]:
        if provides:
            self.provides[name] = frozenset(provides)
        return self._register(self.handlers, name)

    def choice(self, name: str) -> Callable[[F], F]:
        return self._register(self.choices, name)

    def validator(self, name: str) -> Callable[[F], F]:
        return self._register(self.validators, name)

    def stored_text(self, *templates: str) -> None:
        self.stored_texts = tuple(dict.fromkeys((*self.stored_texts, *templates)))

    @staticmethod
    def _register(table: dict[str, Any], name: str) -> Callable[[F], F]:
        def register(function: F) -> F:
            if name in table and table[name] is not function:
                raise ValueError(f"{name} registered twice")
            table[name] = function
            return function
        return register


def install(app: Flask, registry: HandlerRegistry) -> None:
    app.extensions[_EXTENSION] = registry


def _registry() -> HandlerRegistry:
    registry: HandlerRegistry = current_app.extensions[_EXTENSION]
    return registry


def handler_names() -> set[str]:
    return set(_registry().handlers)


def handler_provides() -> dict[str, set[str]]:
    return {name: set(names) for name, names in _registry().provides.items()}


def get_handler(name: str) -> Handler:
    return _registry().handlers[name]


def get_choice_provider(name: str) -> ChoiceProvider | None:
    return _registry().choices.get(name)


def validator_names() -> set[str]:
    return set(_registry().validators)


def get_validator(name: str) -> FormValidator:
    return _registry().validators[name]


def choice_names() -> set[str]:
    return set(_registry().choices)


def stored_text_templates() -> tuple[str, ...]:
    return _registry().stored_texts
