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


SEMI_PRIVATE_SQLALCHEMY = re.compile(
    r"sqlalchemy\.orm\.(base|attributes|state|interfaces)\b|InstanceState|set_committed_value|make_transient"
    r"|NO_VALUE|MANYTOONE|listens_for\(\s*Session\b|session\.info\b|\.info\[|\.info\.(get|pop|setdefault)\(")


def test_persistence_uses_public_sqlalchemy_only() -> None:
    """No faked object states, no Session-class event hooks, no side channels in session.info."""
    offenders = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in _python_files("app", "handlers")
                 for m in SEMI_PRIVATE_SQLALCHEMY.finditer(p.read_text("utf-8"))]
    assert offenders == []


def test_unit_of_work_is_entered_by_the_transactional_wrapper_only() -> None:
    """Requests (the app's dispatch_request), jobs and commands enter app.db.transactional; nothing else opens
    or ends a transaction by hand, and no service commits or rolls back."""
    entered = re.compile(r"\bunit_of_work\(\)")
    offenders = [str(p.relative_to(ROOT)) for p in _python_files("app", "handlers")
                 if entered.search(p.read_text("utf-8")) and p != ROOT / "app" / "db.py"]
    assert offenders == []
    db_module = (ROOT / "app" / "db.py").read_text("utf-8")
    assert len(entered.findall(db_module.split("def transactional", 1)[1])) == 1
    ends = re.compile(r"\.(commit|rollback|begin_nested)\(|\bunit_of_work\b")  # savepoints: app.db.attempt
    assert [str(p.relative_to(ROOT)) for p in _python_files("app/services", "handlers", "app/engine")
            if ends.search(p.read_text("utf-8"))] == []


def test_the_handler_registry_is_built_by_the_application_factory() -> None:
    """Importing handlers/ fills no shared registry: each app builds its own from the marked functions."""
    import handlers
    from app.services.procedures.registry import HandlerRegistry

    assert not [name for name, value in vars(handlers).items() if type(value) is HandlerRegistry]
    first, second = handlers.build_registry(), handlers.build_registry()
    assert first is not second and first.handlers == second.handlers
    assert "unlock.release_locks" in first.handlers and first.validators and first.choices
    with_tests = handlers.build_registry(["tests.support.procedures"])
    assert "test.register_outcome" in with_tests.handlers and "test.register_outcome" not in first.handlers


def test_the_services_do_not_import_the_handlers() -> None:
    imports = re.compile(r"^\s*(from|import)\s+handlers\b", re.M)
    assert [str(p.relative_to(ROOT)) for p in _python_files("app/services", "app/engine", "app/models")
            if imports.search(p.read_text("utf-8"))] == []
