"""Decision tables (DMN) of procedures, as an analyst reads and makes them: a deployed version's tables (inputs,
outputs, rules), the tables of a draft (offered to business rule tasks in the modeler), a new table in a draft
(`bpmn/<decision id>.dmn`, edited with dmn-js in the workspace). The engine runs them in business rule tasks;
deploy checks them (app/engine/dmn.py)."""
from __future__ import annotations

import html
import re
from dataclasses import asdict
from typing import Any

from app.engine import version_decisions
from app.errors import InvalidForm, Message
from app.models import Actor, ProcedureDraft
from app.policy import require_procedure_analyst
from app.services.procedures.deploy import get_procedure, get_version
from app.services.procedures.drafts import get_draft, update_draft_files
from app.services.procedures.versions import files_of

DECISION_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,59}$")
MAX_NAME = 100


def decision_tables(actor: Actor, key: str, number: int) -> list[dict[str, Any]]:
    """Every decision table version `number` of procedure `key` deployed with it (analysts and admins)."""
    require_procedure_analyst(actor)
    version = get_version(get_procedure(key), number)
    return [asdict(decision) for decision in version_decisions(files_of(version.id))]


def file_of(decision_id: str) -> str:
    return f"bpmn/{decision_id}.dmn"


def draft_decisions(draft: ProcedureDraft) -> list[dict[str, Any]]:
    """{id, name, file, outputs: [output names]} of every decision in the draft's .dmn files, in file order (a
    file that does not parse is left out here: the deploy checks name it)."""
    found: list[dict[str, Any]] = []
    for name in sorted(n for n in draft.files if n.endswith(".dmn")):
        try:
            decisions = version_decisions({name: draft.files[name]})
        except Exception:  # a broken table: check_draft says what is wrong with it
            continue
        found.extend({"id": d.id, "name": d.name, "file": name,
                      "outputs": [o["name"] for o in d.outputs if o["name"]]} for d in decisions)
    return found


def new_decision_text(decision_id: str, name: str) -> str:
    """One decision with a one-input, one-output table (hit policy UNIQUE, no rule yet) and its DRD shape."""
    return NEW_DECISION_DMN.format(id=decision_id, name=html.escape(name, quote=True))


def add_decision(actor: Actor, draft_id: int, decision_id: str, name: str | None = None) -> ProcedureDraft:
    """A new decision table `bpmn/<decision_id>.dmn` in the draft, to be filled in the decision table editor."""
    draft = get_draft(actor, draft_id)
    decision_id = (decision_id or "").strip()
    if not DECISION_ID.match(decision_id):
        raise InvalidForm({"decision_id": Message("决策表编码须为 1–60 个字母、数字或下划线，以字母或下划线开头")})
    label = (name or "").strip() or decision_id
    if len(label) > MAX_NAME:
        raise InvalidForm({"name": Message("最多填写 {limit} 个字符", limit=MAX_NAME)})
    if file_of(decision_id) in draft.files or any(d["id"] == decision_id for d in draft_decisions(draft)):
        raise InvalidForm({"decision_id": Message("草稿中已有决策表 {key}", key=decision_id)})
    return update_draft_files(actor, draft_id, {file_of(decision_id): new_decision_text(decision_id, label)},
                              action="procedure.decision_added", decision=decision_id, name=label)


NEW_DECISION_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
  xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/"
  id="defs_{id}" name="{name}" namespace="http://gjy.example/dmn">
  <decision id="{id}" name="{name}">
    <decisionTable id="{id}_table" hitPolicy="UNIQUE">
      <input id="{id}_input_1" label="">
        <inputExpression id="{id}_input_1_expression" typeRef="string"><text></text></inputExpression>
      </input>
      <output id="{id}_output_1" label="" name="" typeRef="string"/>
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="{id}_diagram">
      <dmndi:DMNShape id="{id}_di" dmnElementRef="{id}">
        <dc:Bounds height="80" width="180" x="160" y="100"/>
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
"""
