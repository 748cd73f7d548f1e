"""Every text a shipped procedure shows has its English in its own file: each Chinese title and description
of a form (the form's, its fields', its choices') a `title_en` / `description_en` beside it, each field's
messages (`x-messages`) their `x-messages_en`; each diagram's procedure, lanes, tasks, events and gateways
a `nameEn` (the modeler's "English name"). The catalogue no longer holds them (babel.cfg)."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from lxml import etree

from app.engine.names import BPMN_NS, english_name, english_names, renamed
from tests.support.translations import extracted_ids

ROOT = Path(__file__).resolve().parents[2]
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_BRACKETS = re.compile(r"[(（][^()（）]*[)）]")


def _missing_in_form(node: Any, path: str) -> Iterator[str]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _missing_in_form(item, f"{path}[{index}]")
    if not isinstance(node, dict):
        return
    for key in ("title", "description"):
        text = node.get(key)
        if isinstance(text, str) and _CHINESE.search(text) and not (node.get(f"{key}_en") or "").strip():
            yield f"{path}.{key} {text}"
    english = node.get("x-messages_en") or {}
    for keyword, text in (node.get("x-messages") or {}).items():
        if not (english.get(keyword) or "").strip():
            yield f"{path}.x-messages.{keyword} {text}"
    for key, value in node.items():
        if isinstance(value, dict | list):
            yield from _missing_in_form(value, f"{path}.{key}")


def test_every_shipped_form_text_has_its_english_beside_it() -> None:
    forms = sorted((ROOT / "forms").glob("*.json"))
    assert len(forms) > 30
    missing = [f"{form.name}: {text}" for form in forms
               for text in _missing_in_form(json.loads(form.read_text(encoding="utf-8")), "")]
    assert not missing, missing[:20]


def test_every_name_a_shipped_diagram_shows_has_its_english() -> None:
    diagrams = sorted((ROOT / "bpmn").glob("*.bpmn"))
    missing, named = [], 0
    for diagram in diagrams:
        root = etree.parse(str(diagram)).getroot()
        processes = list(root.iter(f"{{{BPMN_NS}}}process"))
        names = english_names(processes)
        named += len(names)
        for process in processes:
            if not english_name(process):
                missing.append(f"{diagram.name}: {process.get('id')}")
            missing += [f"{diagram.name}: {el.get('id')} {el.get('name')}" for el in process.iter()
                        if isinstance(el.tag, str) and el.get("name") and _CHINESE.search(el.get("name"))
                        and el.get("name") not in names and not el.tag.endswith("sequenceFlow")]
    assert len(diagrams) >= 10 and named > 100
    assert not missing, missing[:20]


def test_every_shipped_diagram_is_drawn_in_english_on_the_english_pages() -> None:
    """The English pages draw a diagram with its elements' `nameEn`, else the catalogue's English (a sequence
    flow's "同意"): no label keeps Chinese outside the brackets of a domain term."""
    catalogue = read_po((ROOT / "app/web/translations/en/LC_MESSAGES/messages.po").open("rb"))

    def english(name: str, own: str) -> str:
        found = catalogue.get(name)
        return own or (found.string if found is not None and isinstance(found.string, str) else "") or name

    left = []
    for diagram in sorted((ROOT / "bpmn").glob("*.bpmn")):
        drawn = etree.fromstring(renamed(diagram.read_text(encoding="utf-8"), english).encode("utf-8"))
        left += [f"{diagram.name}: {el.get('id')} {el.get('name')}" for el in drawn.iter(f"{{{BPMN_NS}}}*")
                 if _CHINESE.search(_BRACKETS.sub("", el.get("name") or ""))]
    assert not left, left[:20]


def test_the_catalogue_no_longer_extracts_the_procedures_texts() -> None:
    """A form's or a diagram's own text is not a message id unless the code or a template uses it too."""
    ids = extracted_ids()
    assert "各解锁类型须上传的材料" not in " ".join(ids)  # the unlock form's help
    assert "竣工验收解锁须上传竣工验收合格意见书" not in ids  # a form's message
