"""Reading a deployed version's BPMN for display: the order in which a process's flows reach its elements."""
from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

from app.engine.xml import XmlRefused, parse_xml

_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_SCOPES = {f"{_BPMN}subProcess", f"{_BPMN}transaction", f"{_BPMN}adHocSubProcess"}


def _process(files: Mapping[str, str], process_id: str) -> Any:
    """The process element of that id in the version's diagrams (None: none names it)."""
    for name, text in sorted(files.items()):
        if not name.endswith(".bpmn"):
            continue
        try:
            root = parse_xml(text.encode("utf-8"))
        except XmlRefused:
            continue
        process = next((p for p in root.iter(f"{_BPMN}process") if p.get("id") == process_id), None)
        if process is not None:
            return process
    return None


def flow_order(files: Mapping[str, str], process_id: str) -> list[str]:
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


_DI_NAMESPACES = ("http://www.omg.org/spec/BPMN/20100524/DI", "http://www.omg.org/spec/DD/20100524/DC",
                  "http://www.omg.org/spec/DD/20100524/DI", "https://www.omg.org/spec/DMN/20191111/DMNDI/",
                  "http://www.omg.org/spec/DMN/20180521/DI/")


def _signature(element: Any) -> str:
    """An element as compared between versions: its tag, attributes, text and the parts of it without an id
    of their own (properties, conditions, scripts, flow references); children with an id count on their own."""
    parts = [str(element.tag), repr(sorted(element.attrib.items())), (element.text or "").strip()]
    parts += [_signature(child) for child in element if isinstance(child.tag, str) and not child.get("id")]
    return "\u241e".join(parts)


def element_signatures(text: str) -> dict[str, tuple[str, str]]:
    """Element id -> (kind, signature) of a BPMN or DMN document, its layout (DI) left out: what a diff of two
    versions compares. An unreadable document has none."""
    try:
        root = parse_xml(text.encode("utf-8"))
    except XmlRefused:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.get("id"):
            continue
        namespace, _, kind = element.tag[1:].partition("}")
        if namespace in _DI_NAMESPACES:
            continue
        found[str(element.get("id"))] = (kind, _signature(element))
    return found
