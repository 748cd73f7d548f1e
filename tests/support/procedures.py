"""A small procedure for engine tests: submit (enterprise) -> review (city) -> loop or register (handler)."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from app.integrations.exchange.schemas import add_schema_dir
from app.integrations.outbox import enqueue
from app.models import UserRole
from app.services.procedures.registry import HandlerContext
from handlers import handler

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "procedures"
BPMN_DIR, FORMS_DIR = FIXTURES / "bpmn", FIXTURES / "forms"
add_schema_dir(FIXTURES.parent / "exchange")  # the schema of its message, test.registered

# How many of the next calls of the handler fail (an outage of the system it registers with), and how
# many of them write a row the database refuses when the handler's savepoint is flushed, after changing
# the case (a duplicate role here), instead of raising at once.
OUTAGE = {"remaining": 0}
REFUSED_WRITE = {"remaining": 0}


def register_outcome(ctx: HandlerContext, title: str) -> dict[str, Any]:
    """Registers the approved material: an outbox message and the case title (fails during an outage)."""
    enqueue("test.registered", {"case": ctx.case.number, "title": title}, f"test-registered-{ctx.case.id}",
            ctx.case.id)
    ctx.case.title = f"已登记：{title}"  # before the call that may fail: the failure must undo it
    if OUTAGE["remaining"] > 0:
        OUTAGE["remaining"] -= 1
        raise ConnectionError("登记系统暂时不可用")
    if REFUSED_WRITE["remaining"] > 0 and ctx.actor is not None:
        REFUSED_WRITE["remaining"] -= 1
        ctx.session.add(UserRole(user_id=ctx.actor.id, role=ctx.actor.role_rows[0].role))
    return {"registered": True}


# Registered by the test apps (EXTRA_HANDLER_MODULES in tests/conftest.py).
handler("test.register_outcome")(register_outcome)


def copy_fixture(tmp: Path) -> tuple[Path, Path]:
    """A writable copy of the fixture procedure folders (to break or change a diagram)."""
    bpmn, forms = tmp / "bpmn", tmp / "forms"
    shutil.copytree(BPMN_DIR, bpmn)
    shutil.copytree(FORMS_DIR, forms)
    return bpmn, forms
