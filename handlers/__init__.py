"""Service-task handlers, form choice providers and form validators of the procedures, by name.

A BPMN service task names a handler ("unlock.release_locks"); a form field names a choice provider in
"x-choices"; a user task may name a validator in its "validator" property. Unknown names are refused at
deploy. The modules below only mark their functions (`@handler`, `@choices`, `@validator`); the
application factory builds a fresh registry from the marks (`build_registry`) and installs it, so importing
this package changes no shared state.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from types import FunctionType
from typing import Any, TypeVar

from app.services.procedures.registry import HandlerRegistry

F = TypeVar("F", bound=Callable[..., Any])
MODULES = ("commitment", "deregistration", "historical", "migrated", "performance", "project", "spot_check",
           "unlock", "upgrade")
_MARKS = "__gjy_registrations__"


def _mark(kind: str, name: str, provides: tuple[str, ...] = ()) -> Callable[[F], F]:
    def mark(function: F) -> F:
        marks = list(getattr(function, _MARKS, ()))
        marks.append((kind, name, provides))
        setattr(function, _MARKS, marks)
        return function
    return mark


def handler(name: str, provides: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Mark a service-task handler; `provides` names what it adds to the case data."""
    return _mark("handler", name, provides)


def choices(name: str) -> Callable[[F], F]:
    """Mark a form field's choice provider."""
    return _mark("choice", name)


def validator(name: str) -> Callable[[F], F]:
    """Mark a user task's form validator."""
    return _mark("validator", name)


def register_marked(registry: HandlerRegistry, namespace: Iterable[Any]) -> None:
    """Register every marked function of `namespace` (a module's values) into `registry`."""
    for value in namespace:
        if type(value) is not FunctionType:  # type(), not isinstance: a module may hold a Flask proxy
            continue
        for kind, name, provides in getattr(value, _MARKS, ()):
            if kind == "handler":
                registry.handler(name, provides)(value)
            elif kind == "choice":
                registry.choice(name)(value)
            else:
                registry.validator(name)(value)


def build_registry(extra_modules: Iterable[str] = ()) -> HandlerRegistry:
    """A registry of every handler, choice provider and validator of the modules above (and of
    `extra_modules`, dotted names: the test procedures' handlers), and of the templates of the texts they store
    in Chinese (a module's `STORED_TEXTS`: the English pages read those texts back by them)."""
    registry = HandlerRegistry()
    for module_name in (*(f"handlers.{name}" for name in MODULES), *extra_modules):
        module = importlib.import_module(module_name)
        register_marked(registry, vars(module).values())
        registry.stored_text(*getattr(module, "STORED_TEXTS", ()))
    return registry
