"""The analysts' rules deploy checks: structure, names read by conditions and scripts, task rules, a bundle that
starts nothing, and the library's own refusals, each naming file and element in Chinese."""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from app.engine import build_bundles
from app.errors import DeployError
from app.services.deadlines.limits import check_limit_property
from tests.engine.bundles import FIXTURE, FUNCTIONS, bundle_input
from tests.support.procedure_files import ROOT, VERSIONS, replace

SHIPPED = ROOT / "bpmn"


def _problems(edit: Callable[[str], str], **extra: object) -> list[dict[str, str | None]]:
    with pytest.raises(DeployError) as refused:
        build_bundles(bundle_input(edit, script_functions=FUNCTIONS, **extra))
    return refused.value.problems


def _has(problems: list[dict[str, str | None]], element: str | None, *words: str,
         file: str = "material_review.bpmn") -> bool:
    return any(p["file"] == file and p["element"] == element and all(w in str(p["problem"]) for w in words)
               for p in problems)


def test_the_fixture_procedure_passes_the_lint() -> None:
    (bundle,) = build_bundles(bundle_input(script_functions=FUNCTIONS))
    assert bundle.key == "material_review"


def test_a_condition_reading_a_name_nothing_provides_is_refused_naming_the_flow_and_the_name() -> None:
    problems = _problems(replace('decision == "approve"', 'lead_decison == "approve"'))
    assert _has(problems, "f_ok", "lead_decison", "未知的名称"), problems


def test_the_unlock_diagram_with_the_typo_of_the_issue_is_refused(app: Flask) -> None:
    from app.services.procedures.bundles import read_bundle_input

    text = (SHIPPED / "personnel_unlock.bpmn").read_text("utf-8")
    with app.app_context():
        inp = read_bundle_input(SHIPPED, ROOT / "forms")
        inp.bpmn = {"personnel_unlock.bpmn": text.replace('decision == "approve"',
                                                          'lead_decison == "approve"').encode()}
        with pytest.raises(DeployError) as refused:
            build_bundles(inp)
    assert [(p["file"], p["element"]) for p in refused.value.problems] == [("personnel_unlock.bpmn", "f_approve")]
    assert "lead_decison" in str(refused.value.problems[0]["problem"])


def test_names_a_script_writes_a_service_result_and_runtime_functions_are_known() -> None:
    edit = replace('decision == "approve"', 'decision == "approve" and round_no != 99 and len(label) > 0')
    assert build_bundles(bundle_input(edit, script_functions=FUNCTIONS))
    uses_result = replace("round_no = 0", "round_no = 0\nprevious = registration if False else None")
    assert build_bundles(bundle_input(uses_result, script_functions=FUNCTIONS))


def test_a_name_a_start_handler_provides_is_known() -> None:
    edit = replace('decision == "approve"', 'decision == "approve" and applicant_kind != "x"')
    refused = _problems(edit)
    assert _has(refused, "f_ok", "applicant_kind")
    with_handler = replace('<spiffworkflow:property name="startRoles" value="enterprise"/>',
                           '<spiffworkflow:property name="startRoles" value="enterprise"/>'
                           '<spiffworkflow:property name="startHandler" value="test.register_outcome"/>')
    inp = bundle_input(lambda text: with_handler(edit(text)), script_functions=FUNCTIONS,
                       handler_provides={"test.register_outcome": {"applicant_kind"}})
    assert build_bundles(inp)


def test_a_gateway_flow_without_condition_or_default_is_refused() -> None:
    problems = _problems(replace('default="f_back"', ""))
    assert _has(problems, "f_back", "decision", "既没有条件也不是默认连线"), problems


def test_an_unreachable_and_a_dead_ended_element_are_refused() -> None:
    lonely = ('<bpmn:scriptTask id="lonely" name="孤立脚本"><bpmn:outgoing>f_lonely</bpmn:outgoing>'
              '<bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>'
              '<bpmn:sequenceFlow id="f_lonely" sourceRef="lonely" targetRef="end"/>'
              '<bpmn:scriptTask id="stuck" name="中断脚本"><bpmn:incoming>f_stuck</bpmn:incoming>'
              '<bpmn:script>y = 1</bpmn:script></bpmn:scriptTask>'
              '<bpmn:sequenceFlow id="f_stuck" sourceRef="init" targetRef="stuck"/></bpmn:process>')
    problems = _problems(replace("</bpmn:process>", lonely))
    assert _has(problems, "lonely", "无法到达"), problems
    assert _has(problems, "stuck", "没有出口连线"), problems


def test_a_dangling_sequence_flow_is_refused_before_the_library_sees_it() -> None:
    problems = _problems(replace('targetRef="end"/>', 'targetRef="nowhere"/>'))
    assert _has(problems, "f6", "nowhere", "悬空"), problems


@pytest.mark.parametrize("props, words", [
    ('<spiffworkflow:property name="notSameAs" value="no_such_task"/>', ("notSameAs", "no_such_task")),
    ('<spiffworkflow:property name="sameAs" value="review"/>', ("sameAs", "review")),  # itself
    ('<spiffworkflow:property name="notifyApplicant" value="maybe"/>', ("notifyApplicant", "maybe")),
])
def test_task_rules_must_name_another_user_task_and_flags_be_true_or_false(props: str, words: tuple[str, ...]) -> None:
    edit = replace('<spiffworkflow:property name="dueIn" value="3 working days"/>',
                   f'<spiffworkflow:property name="dueIn" value="3 working days"/>{props}')
    assert _has(_problems(edit), "review", *words)


def test_valid_task_rules_deploy() -> None:
    edit = replace('<spiffworkflow:property name="dueIn" value="3 working days"/>',
                   '<spiffworkflow:property name="dueIn" value="3 working days"/>'
                   '<spiffworkflow:property name="notSameAs" value="submit"/>'
                   '<spiffworkflow:property name="notifyApplicant" value="true"/>')
    (bundle,) = build_bundles(bundle_input(edit, script_functions=FUNCTIONS))
    assert bundle.manifest["tasks"]["review"]["properties"]["notSameAs"] == "submit"


def test_a_plain_interchange_diagram_says_what_is_missing_instead_of_deploying_nothing_silently() -> None:
    inp = bundle_input(script_functions=FUNCTIONS)
    inp.bpmn = {"plain_interchange.bpmn": (VERSIONS / "plain_interchange.bpmn").read_bytes()}
    with pytest.raises(DeployError) as refused:
        build_bundles(inp)
    problems = refused.value.problems
    assert any(p["file"] == "plain_interchange.bpmn" and p["element"] == "plain_process"
               and "casePrefix" in str(p["problem"]) and "isExecutable" in str(p["problem"])
               for p in problems), problems


def test_a_library_process_nobody_calls_is_a_problem_beside_a_procedure() -> None:
    inp = bundle_input(script_functions=FUNCTIONS)
    inp.bpmn["plain_interchange.bpmn"] = (VERSIONS / "plain_interchange.bpmn").read_bytes()
    with pytest.raises(DeployError) as refused:
        build_bundles(inp)
    assert {p["file"] for p in refused.value.problems} == {"plain_interchange.bpmn"}


def test_the_librarys_own_refusal_names_the_file_in_chinese() -> None:
    inp = bundle_input(script_functions=FUNCTIONS)
    inp.bpmn = {"data_store.bpmn": (VERSIONS / "data_store.bpmn").read_bytes()}
    with pytest.raises(DeployError) as refused:
        build_bundles(inp)
    (problem,) = refused.value.problems
    assert problem["file"] == "data_store.bpmn"
    assert str(problem["problem"]).startswith("流程图无法解析") and "Employee Details" in str(problem["problem"])


def test_the_deploy_command_refuses_a_folder_that_starts_nothing(app: Flask, tmp_path: Path) -> None:
    bpmn, forms = tmp_path / "bpmn", tmp_path / "forms"
    bpmn.mkdir()
    shutil.copytree(FIXTURE / "forms", forms)
    shutil.copy(VERSIONS / "plain_interchange.bpmn", bpmn)
    (bpmn / "lanes.json").write_text(json.dumps({}), "utf-8")
    result = app.test_cli_runner().invoke(args=["procedures", "deploy", "--bpmn-dir", str(bpmn),
                                                "--forms-dir", str(forms)])
    assert result.exit_code == 1
    assert "plain_interchange.bpmn #plain_process" in result.output and "casePrefix" in result.output


def test_a_name_a_called_handler_provides_is_known() -> None:
    edit = replace('decision == "approve"', 'decision == "approve" or reviewed_by_handler')
    assert _has(_problems(edit), "f_ok", "reviewed_by_handler")
    inp = bundle_input(edit, script_functions=FUNCTIONS,
                       handler_provides={"test.register_outcome": {"reviewed_by_handler"}})
    assert build_bundles(inp)


def test_one_check_lists_the_structure_and_the_task_problems_together() -> None:
    """A gateway without its default and a wrong 办理时限: the time limit used to be named only once the
    gateway was fixed (the task checks ran after the structure's, on a clean structure only)."""
    def edit(xml: str) -> str:
        return (replace(' default="f_back"', "")(xml)
                .replace('name="dueIn" value="3 working days"', 'name="dueIn" value="五个工作日"'))

    problems = _problems(edit, task_property_check=check_limit_property)
    assert _has(problems, "f_back", "默认"), problems
    assert _has(problems, "review", "dueIn", "五个工作日"), problems


def test_code_that_does_not_compile_is_explained_in_chinese_on_its_element() -> None:
    """RestrictedPython's English ("is an invalid attribute name because it starts with "_"", "SyntaxError:
    invalid syntax at statement") reached the analyst, and a condition's error named its gateway."""
    dunder = _problems(replace("round_no = 0", "round_no = ().__class__"))
    assert _has(dunder, "init", "脚本无法编译", "属性“__class__”以下划线开头"), dunder
    typo = _problems(replace('decision == "approve"', 'decision == = "approve"'))
    assert _has(typo, "f_ok", "条件无法编译", "语法错误"), typo
    assert not any("invalid" in str(p["problem"]) or "SyntaxError" in str(p["problem"]) for p in dunder + typo)
