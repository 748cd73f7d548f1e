"""Decision tables of a deployed version, as an analyst reads them: inputs, outputs and rules of each table
(the engine runs them in business rule tasks; deploy checks them: app/engine/dmn.py)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.engine import version_decisions
from app.models import Actor
from app.policy import require_procedure_analyst
from app.services.procedures.deploy import get_procedure, get_version
from app.services.procedures.versions import files_of


def decision_tables(actor: Actor, key: str, number: int) -> list[dict[str, Any]]:
    """Every decision table version `number` of procedure `key` deployed with it (analysts and admins)."""
    require_procedure_analyst(actor)
    version = get_version(get_procedure(key), number)
    return [asdict(decision) for decision in version_decisions(files_of(version.id))]
