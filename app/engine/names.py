"""The English names a diagram carries: `nameEn` (a spiffworkflow:property) of the process, its lanes, tasks,
events and gateways, which the modeler's panel writes and the English pages show."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
ENGLISH_NAME = "nameEn"


def _shown(element: Any) -> bool:
    """The process (a pool's name is its process's), a lane, an activity, an event or a gateway (sequence
    flows' names are not shown in the pages)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag.startswith(f"{{{BPMN_NS}}}"):
        return False
    local = tag.split("}", 1)[1]
    return local in ("process", "lane", "task", "callActivity", "subProcess", "transaction") \
        or local.endswith(("Task", "Event", "Gateway"))


def english_name(element: Any) -> str:
    """The element's `nameEn` property ("" when it has none)."""
    extensions = element.find(f"{{{BPMN_NS}}}extensionElements")
    if extensions is None:
        return ""
    for prop in extensions.iter(f"{{{SPIFF_NS}}}property"):
        if prop.get("name") == ENGLISH_NAME:
            return (prop.get("value") or "").strip()
    return ""


def english_names(processes: Iterable[Any]) -> dict[str, str]:
    """Chinese name -> English name of the processes' elements the pages show (those that have both)."""
    found: dict[str, str] = {}
    for process in processes:
        for element in process.iter():
            name = (element.get("name") or "").strip() if isinstance(element.tag, str) else ""
            if name and _shown(element):
                english = english_name(element)
                if english:
                    found[name] = english
    return found


def renamed(xml: str, rename: Callable[[str, str], str]) -> str:
    """The diagram with each named BPMN element's `name` replaced by rename(name, its nameEn): what the English
    pages draw (the process's own XML is left as deployed). Unparseable XML is returned as it is."""
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except (etree.XMLSyntaxError, ValueError):
        return xml
    changed = False
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        name = (element.get("name") or "").strip()
        if name:
            new = rename(name, english_name(element))
            if new and new != name:
                element.set("name", new)
                changed = True
    return etree.tostring(root, encoding="unicode") if changed else xml
