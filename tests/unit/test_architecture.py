"""The rules that keep the code easy to change, checked on every run (import-linter checks the layers)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BELOW_VIEWS = ["app/services", "app/engine", "app/models", "app/integrations", "app/policy.py", "handlers"]


def _python_files(*parts: str) -> list[Path]:
    files: list[Path] = []
    for part in parts:
        path = ROOT / part
        files.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return files


def test_only_app_db_commits() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in _python_files("app", "handlers")
                 if ".commit()" in p.read_text("utf-8") and p != ROOT / "app" / "db.py"]
    assert offenders == []


def test_nothing_below_the_views_reads_the_request_or_the_current_user() -> None:
    pattern = re.compile(r"from flask import .*\b(request|session|g)\b|current_user|flask\.request|flask\.g\b")
    offenders = [str(p.relative_to(ROOT)) for p in _python_files(*BELOW_VIEWS) if pattern.search(p.read_text("utf-8"))]
    assert offenders == []


def test_only_the_engine_imports_spiffworkflow() -> None:
    imports = re.compile(r"^\s*(from|import)\s+SpiffWorkflow", re.M)
    offenders = [str(p.relative_to(ROOT)) for p in _python_files("app", "handlers")
                 if imports.search(p.read_text("utf-8")) and "app/engine" not in str(p)]
    assert offenders == []


def test_every_migration_has_a_message() -> None:
    for path in (ROOT / "migrations" / "versions").glob("*.py"):
        first = path.read_text("utf-8").splitlines()[0]
        assert first.startswith('"""') and len(first.strip('"')) > 5, path.name
