"""The one XML parser of the application: every BPMN and DMN document is read through parse_xml.

Hardened: no entity resolution, no DTD loading, no network, no huge trees (libxml2's depth and size
limits stay on), and any document declaring a DTD (DOCTYPE, entity declarations: XXE, "billion laughs")
is refused before anything in it is used. BPMN and DMN never need one.
"""
from __future__ import annotations

from typing import Any

from lxml import etree

from app.errors import Message

_DTD_REFUSED = "XML 不得包含 DOCTYPE、DTD 或实体声明 (DTD and entities are refused)"


class XmlRefused(ValueError):
    """A document that is not read: not well-formed, or declaring a DTD. The message is Chinese (`message`,
    an errors.Message the pages translate)."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


def _parser() -> Any:
    # One per call: lxml parser objects keep state and must not be shared between threads.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False)


def parse_xml(data: bytes) -> Any:
    """The root element of `data`; XmlRefused when it is not well-formed or declares a DTD."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # said plainly before libxml2 reports it its own way
        raise XmlRefused(Message(_DTD_REFUSED))
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlRefused(Message("XML 格式错误 (bad XML): {error}", error=str(exc))) from exc
    if root is None:
        raise XmlRefused(Message("XML 文档为空 (empty document)"))
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.externalDTD is not None or info.doctype:
        raise XmlRefused(Message(_DTD_REFUSED))
    return root
