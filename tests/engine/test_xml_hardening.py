"""Every XML document goes through one hardened parser: a DTD (external entities, entity expansion) is
refused with a Chinese message before anything in it is read, at deploy and wherever a diagram is read."""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.engine import build_bundles
from app.engine.diagram import flow_order
from app.engine.runner import _parse
from app.engine.xml import XmlRefused, parse_xml
from app.errors import DeployError
from tests.engine.bundles import FIXTURE, bundle_input

LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
BILLION_LAUGHS = f'<!DOCTYPE bpmn:definitions [<!ENTITY l0 "lol">{LAUGHS}]>'


class Fifo:
    """A named pipe standing for a secret file: opening it for reading is recorded (and then unblocked)."""

    def __init__(self, path: Path) -> None:
        self.path, self.opened, self._stop = path, False, threading.Event()
        os.mkfifo(path)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)  # only succeeds once a reader has it open
            except OSError:
                time.sleep(0.005)
                continue
            self.opened = True
            os.write(fd, b"SECRET")
            os.close(fd)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture
def secret(tmp_path: Path) -> Iterator[Fifo]:
    fifo = Fifo(tmp_path / "secret")
    yield fifo
    fifo.close()


def _with_doctype(doctype: str, reference: str) -> str:
    text = (FIXTURE / "bpmn" / "material_review.bpmn").read_text("utf-8")
    text = text.replace("<bpmn:definitions", f"{doctype}\n<bpmn:definitions", 1)
    return text.replace('<bpmn:userTask id="submit" name="提交材料">',
                        f'<bpmn:userTask id="submit" name="提交材料"><bpmn:documentation>{reference}'
                        "</bpmn:documentation>", 1)


def test_a_diagram_with_an_external_entity_is_refused_at_deploy_without_reading_the_file(secret: Fifo) -> None:
    doctype = f'<!DOCTYPE bpmn:definitions [<!ENTITY secret SYSTEM "file://{secret.path}">]>'
    inp = bundle_input(lambda text: _with_doctype(doctype, "&secret;"))
    with pytest.raises(DeployError) as refused:
        build_bundles(inp)
    assert [(p["file"], p["element"]) for p in refused.value.problems] == [("material_review.bpmn", None)]
    assert "DTD" in refused.value.problems[0]["problem"] and "不得包含" in refused.value.problems[0]["problem"]
    time.sleep(0.05)  # the pipe's writer polls every 5 ms: a read would have been seen by now
    assert not secret.opened


def test_a_billion_laughs_diagram_is_refused_at_deploy_at_once() -> None:
    inp = bundle_input(lambda text: _with_doctype(BILLION_LAUGHS, "&l9;"))
    with pytest.raises(DeployError) as refused:
        build_bundles(inp)
    assert "不得包含 DOCTYPE" in refused.value.problems[0]["problem"]


def test_a_harmless_internal_entity_is_refused_too() -> None:
    """Not only what libxml2's own limits catch: any DTD is refused (BPMN never needs one)."""
    inp = bundle_input(lambda text: _with_doctype('<!DOCTYPE d [<!ENTITY who "企业">]>', "&who;"))
    with pytest.raises(DeployError, match="DTD"):
        build_bundles(inp)


@pytest.mark.parametrize("data", [b"<a><b></a>", b"", b"<?xml version='1.0'?>"])
def test_malformed_xml_is_refused_with_a_chinese_message(data: bytes) -> None:
    with pytest.raises(XmlRefused, match="XML"):
        parse_xml(data)


def test_the_pages_flow_order_and_the_runner_read_through_the_same_parser(secret: Fifo) -> None:
    doctype = f'<!DOCTYPE bpmn:definitions [<!ENTITY secret SYSTEM "file://{secret.path}">]>'
    hostile = {"bpmn/material_review.bpmn": _with_doctype(doctype, "&secret;")}
    plain = {"bpmn/material_review.bpmn": (FIXTURE / "bpmn" / "material_review.bpmn").read_text("utf-8")}
    assert flow_order(plain, "material_review")[:4] == ["start", "init", "join", "submit"]
    assert flow_order(hostile, "material_review") == []
    with pytest.raises(XmlRefused):
        _parse("material_review", hostile)
    time.sleep(0.05)
    assert not secret.opened


def test_a_dtd_in_another_encoding_is_refused_after_parsing() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'.encode("utf-16")
    with pytest.raises(XmlRefused, match="DTD"):
        parse_xml(data)
