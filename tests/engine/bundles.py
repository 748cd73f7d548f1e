"""Deploy inputs for engine tests, built from the fixture procedure without a database."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.engine import BundleInput

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "procedures"
ROLES = {"enterprise", "city_reviewer", "province_reviewer", "admin"}


def bundle_input(edit: Callable[[str], str] = lambda text: text, **extra: Any) -> BundleInput:
    """The fixture procedure `material_review` as deploy reads it, its diagram passed through `edit`."""
    text = (FIXTURE / "bpmn" / "material_review.bpmn").read_text("utf-8")
    forms = {p.name: p.read_text("utf-8") for p in sorted((FIXTURE / "forms").glob("*.json"))}
    lanes = json.loads((FIXTURE / "bpmn" / "lanes.json").read_text("utf-8"))
    return BundleInput(bpmn={"material_review.bpmn": edit(text).encode("utf-8")}, dmn={}, forms=forms,
                       lanes=lanes, handler_names={"test.register_outcome"}, roles=ROLES, **extra)
