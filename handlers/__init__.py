"""Registry of service-task handlers, form choice providers and form validators, by name.

A BPMN service task names a handler ("unlock.release_locks"); a form field names a choice provider
in "x-choices"; a user task may name a validator in its "validator" property. Unknown names are
refused at deploy.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

HANDLERS: dict[str, Callable[..., dict[str, Any] | None]] = {}
CHOICES: dict[str, Callable[..., list[tuple[Any, str]]]] = {}
VALIDATORS: dict[str, Callable[..., dict[str, str]]] = {}


def handler(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in HANDLERS:
            raise ValueError(f"handler {name} registered twice")
        HANDLERS[name] = fn
        return fn
    return register


def choices(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        CHOICES[name] = fn
        return fn
    return register


def validator(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        VALIDATORS[name] = fn
        return fn
    return register


import handlers.deregistration  # noqa: E402,F401  (registers its handlers)
import handlers.performance  # noqa: E402,F401  (registers its handlers)
import handlers.upgrade  # noqa: E402,F401  (registers its handlers; plain import: ruff's isort order)
from handlers import unlock  # noqa: E402,F401  (registers its handlers)
