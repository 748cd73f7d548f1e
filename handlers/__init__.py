"""Service-task handlers, form choice providers and form validators of the procedures, by name.

A BPMN service task names a handler ("unlock.release_locks"); a form field names a choice provider in
"x-choices"; a user task may name a validator in its "validator" property. Unknown names are refused at
deploy. The application factory installs REGISTRY (app.services.procedures.registry.install).
"""
from __future__ import annotations

from app.services.procedures.registry import HandlerRegistry

REGISTRY = HandlerRegistry()
handler = REGISTRY.handler
choices = REGISTRY.choice
validator = REGISTRY.validator

import handlers.commitment  # noqa: E402,F401  (registers its handlers)
import handlers.deregistration  # noqa: E402,F401  (registers its handlers)
import handlers.performance  # noqa: E402,F401  (registers its handlers)
import handlers.spot_check  # noqa: E402,F401  (registers its handlers)
import handlers.unlock  # noqa: E402,F401  (registers its handlers)
import handlers.upgrade  # noqa: E402,F401  (registers its handlers)
