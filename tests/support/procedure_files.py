"""Procedure files as the REST API takes them ({"bpmn/x.bpmn": text, "bpmn/lanes.json": ..., "forms/y.json": ...}),
from the shipped folders and from the test fixtures (tests/fixtures/procedures, tests/fixtures/procedure_versions)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask

from app.db import unit_of_work
from app.services.procedures.versions import deploy_procedures

ROOT = Path(__file__).resolve().parent.parent.parent
REVIEW = ROOT / "tests" / "fixtures" / "procedures"
VERSIONS = ROOT / "tests" / "fixtures" / "procedure_versions"


def deploy_folder(app: Flask, bpmn: Path, forms: Path) -> None:
    """Deploy the procedures of a fixture folder (its diagrams, lanes and forms), committed as a deploy is."""
    with app.app_context(), unit_of_work():
        deploy_procedures(bpmn, forms, deployed_by="test")


def folder_files(bpmn: Path, forms: Path, diagrams: list[str]) -> dict[str, str]:
    files = {f"bpmn/{name}": (bpmn / name).read_text("utf-8") for name in diagrams}
    files["bpmn/lanes.json"] = (bpmn / "lanes.json").read_text("utf-8")
    files.update({f"forms/{p.name}": p.read_text("utf-8") for p in sorted(forms.glob("*.json"))})
    return files


def review_files(variant: str | None = None, edit: Callable[[str], str] = lambda text: text) -> dict[str, str]:
    """The test procedure material_review: its diagram (or a variant of it from procedure_versions, deployed
    under the same file name), passed through `edit`, with its lanes and forms."""
    files = folder_files(REVIEW / "bpmn", REVIEW / "forms", ["material_review.bpmn"])
    text = (VERSIONS / variant).read_text("utf-8") if variant else files["bpmn/material_review.bpmn"]
    files["bpmn/material_review.bpmn"] = edit(text)
    return files


DECISIONS = REVIEW / "decisions"


def decision_files(edit: Callable[[str], str] = lambda text: text,
                   edit_table: Callable[[str], str] = lambda text: text) -> dict[str, str]:
    """The test procedure graded_review (a decision table routes it) with the fixture's lanes and forms."""
    files = folder_files(REVIEW / "bpmn", REVIEW / "forms", [])
    files["bpmn/graded_review.bpmn"] = edit((DECISIONS / "graded_review.bpmn").read_text("utf-8"))
    files["bpmn/review_level.dmn"] = edit_table((DECISIONS / "review_level.dmn").read_text("utf-8"))
    return files


def shipped_files(key: str, edit: Callable[[str], str] = lambda text: text) -> dict[str, str]:
    """A shipped procedure's diagram (passed through `edit`), the lane map and every shipped form."""
    files = folder_files(ROOT / "bpmn", ROOT / "forms", [f"{key}.bpmn"])
    files[f"bpmn/{key}.bpmn"] = edit(files[f"bpmn/{key}.bpmn"])
    return files


def replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, f"the diagram no longer contains {old!r}"
        return text.replace(old, new, 1)
    return edit
