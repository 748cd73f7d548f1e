"""Helpers the page modules share: upload limits, the case's forms for display, attachment names."""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app
from lxml import etree

from app.models import Actor, Case, CaseEvent
from app.services.cases.attachments import UploadLimits, list_attachments, list_attachments_by_side
from app.services.procedures import forms
from app.services.procedures.versions import derived, files_of, manifest_of
from app.web.data_display import CaseFiles, Round, filed_attachments, merged_properties


def upload_limits() -> UploadLimits:
    return UploadLimits(current_app.config["UPLOAD_DIR"], current_app.config["MAX_UPLOAD_BYTES"])


_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_SCOPES = {f"{_BPMN}subProcess", f"{_BPMN}transaction", f"{_BPMN}adHocSubProcess"}


def _process(files: Mapping[str, str], process_id: str) -> Any:
    """The process element of that id in the version's diagrams (None: none names it)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for name, text in sorted(files.items()):
        if not name.endswith(".bpmn"):
            continue
        try:
            root = etree.fromstring(text.encode("utf-8"), parser)
        except etree.XMLSyntaxError:
            continue
        process = next((p for p in root.iter(f"{_BPMN}process") if p.get("id") == process_id), None)
        if process is not None:
            return process
    return None


def _flow_order(files: Mapping[str, str], process_id: str) -> list[str]:
    """The element ids of the process in the order its flows reach them from its start event (breadth
    first; the flows leaving one element in the order the file lists them; an embedded subprocess's own
    start event before what follows it; a boundary event after the task it is attached to)."""
    process = _process(files, process_id)
    if process is None:
        return []
    elements = {e.get("id"): e for e in process.iter() if isinstance(e.tag, str) and e.get("id")}
    after: dict[str, list[str]] = {}
    for flow in process.iter(f"{_BPMN}sequenceFlow"):
        after.setdefault(flow.get("sourceRef") or "", []).append(flow.get("targetRef") or "")
    for boundary in process.iter(f"{_BPMN}boundaryEvent"):
        after.setdefault(boundary.get("attachedToRef") or "", []).append(boundary.get("id") or "")
    queue = deque(str(e.get("id")) for e in process if e.tag == f"{_BPMN}startEvent")
    order: list[str] = []
    while queue:
        node = queue.popleft()
        if node in order:
            continue
        order.append(node)
        element = elements.get(node)
        if element is not None and element.tag in _SCOPES:
            queue.extend(str(e.get("id")) for e in element if e.tag == f"{_BPMN}startEvent")
        queue.extend(after.get(node, []))
    return order


def form_keys_in_order(version_id: int) -> list[str]:
    """The version's forms in the order a case meets them: the start form, then the user tasks' forms in
    the order the diagram's flow reaches the tasks (tasks it does not reach, e.g. in a called process, in
    the manifest's order), then any other form by name."""
    return derived(version_id, "form_order", lambda: _form_order(version_id))


def _form_order(version_id: int) -> list[str]:
    manifest, files = manifest_of(version_id), files_of(version_id)
    tasks: dict[str, Any] = manifest.get("tasks") or {}
    rank = {bpmn_id: i for i, bpmn_id in enumerate(_flow_order(files, manifest.get("key", "")))}
    by_flow = sorted(tasks, key=lambda bpmn_id: rank.get(bpmn_id, len(rank)))  # stable: the rest as listed
    named = sorted(name[len("forms/"):-len(".json")] for name in files
                   if name.startswith("forms/") and name.endswith(".json"))
    candidates = [(manifest.get("properties") or {}).get("startForm"),
                  *((tasks[t] or {}).get("form_key") for t in by_flow), *named]
    return [key for i, key in enumerate(candidates) if key in named and key not in candidates[:i]]


def case_properties(actor: Actor, case: Case) -> dict[str, dict[str, Any]]:
    """Every field of every form of the case's version, with choices rendered for the actor, in the order
    of the procedure's steps (form_keys_in_order) and, within a form, in the form's own order."""
    version_id = case.procedure_version_id
    return merged_properties(forms.render_schema(forms.form_schema(version_id, key), actor, case)
                             for key in form_keys_in_order(version_id))


def attachment_names(case: Case) -> dict[str, str]:
    return {a.id: a.filename for a in list_attachments(case.id)}


def case_files(case: Case, properties: Mapping[str, dict[str, Any]], events: Iterable[CaseEvent],
               applicant_side: bool) -> CaseFiles:
    """The case page's attachments: those some submission (`events`: the case's history) referenced, by
    field, files superseded by a later round marked; the uploads no submission referenced only for the
    applicant side, and only those the applicant side uploaded."""
    listed = list_attachments_by_side(case)
    rounds = [Round(e.payload.get("data") or {}, e.step or "", e.at) for e in events
              if e.kind == "task_completed" and isinstance(e.payload.get("data"), dict)]
    return filed_attachments(properties, rounds, case.data or {}, [a for a, _ in listed],
                             {a.id for a, by_applicant in listed if by_applicant} if applicant_side else set())


MAX_ID = 2**31 - 1  # ids are INTEGER columns (32 bits in PostgreSQL): a larger one names nothing
ID = f"int(max={MAX_ID})"  # path converter for ids: `f"/cases/<{ID}:case_id>"`, a larger id answers 404
MAX_PAGE = 1_000_000  # beyond any list; larger numbers would overflow the database's OFFSET


def page_args(value: str | None, default: int = 1) -> int:
    """A page number from the query string, 1..MAX_PAGE (see last_page for one past the end)."""
    try:
        return min(max(1, int(value or default)), MAX_PAGE)
    except ValueError:  # not a number, or thousands of digits
        return default


def last_page(total: int, per_page: int) -> int:
    """The last page of `total` items (1 when there are none): a page past it shows this one."""
    return max(1, -(-total // per_page))
