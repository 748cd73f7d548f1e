"""The engine reads the English names a diagram carries (`nameEn`, as the modeler's panel writes it) into the
version's manifest: the procedure's, each user task's, and every shown element's by its Chinese name."""
from __future__ import annotations

from app.engine import build_bundles
from tests.engine.bundles import bundle_input

_PROPERTY = '<spiffworkflow:properties><spiffworkflow:property name="nameEn" value="{}"/></spiffworkflow:properties>'


def _english(text: str) -> str:
    text = text.replace('<spiffworkflow:property name="formKey" value="review_decision"/>',
                        '<spiffworkflow:property name="formKey" value="review_decision"/>'
                        '<spiffworkflow:property name="nameEn" value="Review the materials"/>')
    text = text.replace('<bpmn:lane id="lane_city" name="市级住建部门">',
                        '<bpmn:lane id="lane_city" name="市级住建部门"><bpmn:extensionElements>'
                        + _PROPERTY.format("City bureau") + "</bpmn:extensionElements>")
    text = text.replace('<bpmn:exclusiveGateway id="decision" name="是否通过？" default="f_back">',
                        '<bpmn:exclusiveGateway id="decision" name="是否通过？" default="f_back">'
                        '<bpmn:extensionElements>' + _PROPERTY.format("Passed?") + "</bpmn:extensionElements>")
    return text.replace('<spiffworkflow:property name="casePrefix" value="CS"/>',
                        '<spiffworkflow:property name="casePrefix" value="CS"/>'
                        '<spiffworkflow:property name="nameEn" value="Material review (test)"/>', 1)


def test_the_manifest_carries_the_english_names_of_the_diagram() -> None:
    (bundle,) = build_bundles(bundle_input(_english))
    manifest = bundle.manifest
    assert manifest["name_en"] == "Material review (test)"
    assert manifest["tasks"]["review"]["title_en"] == "Review the materials"
    assert manifest["tasks"]["submit"]["title_en"] == ""
    assert manifest["names_en"] == {"材料审核（测试）": "Material review (test)", "审核材料": "Review the materials",
                                    "市级住建部门": "City bureau", "是否通过？": "Passed?"}


def test_a_diagram_without_english_names_has_none() -> None:
    (bundle,) = build_bundles(bundle_input())
    assert bundle.manifest["name_en"] == "" and bundle.manifest["names_en"] == {}
