"""Workflow state <-> bytes: spec-free JSON (the spec is stored once per version), zlib-compressed; states of
older serializer versions are migrated on load by the library's own migrations."""
from __future__ import annotations

import json
import logging
import zlib
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from app.errors import DomainError

log = logging.getLogger(__name__)


class StateUnreadable(DomainError):
    """A saved workflow state that does not load any more: the case cannot move until it is repaired.
    Reported as such (not as a task someone else finished, not as a server error)."""

    status, code = 422, "case_state_unreadable"
    message = "该办件的流程数据无法读取，暂时不能办理，请联系系统管理员"


class SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """The default converter without 'spec'/'subprocess_specs': those come from the procedure version."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None,
                  script_engine: Any = None) -> Any:
        wf = self.target_class(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
        wf.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=wf)
        wf.task_tree = wf.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(wf, dct)
        self.subprocesses_from_dict(dct["subprocesses"], wf)
        wf.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return wf


def _make_serializer() -> Any:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpecFreeWorkflowConverter
    registry = BpmnWorkflowSerializer.configure(config)
    # Not built in: without these a date or Decimal in task data makes the case unsaveable.
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return BpmnWorkflowSerializer(registry)


SERIALIZER = _make_serializer()
SERIALIZER_VERSION: str = SERIALIZER.VERSION


def dump_state(workflow: Any) -> bytes:
    # Level 1: states shrink about 5x (6 gains 5 % more and costs twice the time, on every step).
    return zlib.compress(SERIALIZER.serialize_json(workflow).encode("utf-8"), 1)


def _version(text: Any) -> tuple[int, ...]:
    """A serializer version ("1.4") as a comparable tuple; ValueError for anything else."""
    if not isinstance(text, str):
        raise ValueError(f"no serializer version in the state ({text!r})")
    return tuple(int(part) for part in text.split("."))


OLDEST_MIGRATED = (1, 0)  # the library migrates states from format 1.0 on, one step after another


def _migrated(dct: dict[str, Any], written: str, spec: Any, subprocess_specs: Any) -> dict[str, Any]:
    """A state of an older format brought to ours by the library's own migrations (BpmnWorkflowSerializer.migrate).

    They work on a whole document (spec included) while we store states without their spec: the current
    spec is put in for them and taken out again. Their changes to the spec itself are thereby dropped (ours is
    parsed fresh from the version's diagram by this library), their changes to the tasks kept. A format newer
    than ours, or older than the library migrates, is refused: it would load with data silently lost.
    """
    if not OLDEST_MIGRATED <= _version(written) < _version(SERIALIZER_VERSION):
        raise ValueError(f"state written by serializer {written}; this build reads {SERIALIZER_VERSION} "
                         "and migrates older formats only")
    whole = dict(dct, spec=SERIALIZER.to_dict(spec),
                 subprocess_specs={name: SERIALIZER.to_dict(sub) for name, sub in (subprocess_specs or {}).items()})
    whole[SERIALIZER.VERSION_KEY] = written
    SERIALIZER.migrate(whole)  # pops the version key and applies the library's migrations from it
    for key in ("spec", "subprocess_specs", "VERSION"):
        whole.pop(key, None)
    return whole


def load_state(blob: bytes, version: str, spec: Any, subprocess_specs: Any, script_engine: Any) -> Any:
    """Restore a workflow. A state written by an older serializer version is migrated (the version the state
    itself records wins over the column's `version`); anything that does not load — not zlib, not JSON, a
    failed migration, a version newer than ours, a dict the converters refuse — is StateUnreadable (the case
    shows it, an admin repairs and retries), never another exception."""
    try:
        dct = json.loads(zlib.decompress(blob).decode("utf-8"))
        if not isinstance(dct, dict):
            raise ValueError("a workflow state is a JSON object")
        written = dct.pop(SERIALIZER.VERSION_KEY, None) or version
        if written != SERIALIZER_VERSION:
            dct = _migrated(dct, written, spec, subprocess_specs)
            log.info("migrated a workflow state from serializer %s to %s", written, SERIALIZER_VERSION)
        return SERIALIZER.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs,
                                    script_engine=script_engine)
    except Exception as exc:  # e.g. a KeyError from a dict that looked like a typed object
        log.exception("a saved workflow state does not load")
        raise StateUnreadable() from exc
