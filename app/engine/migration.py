"""Move a running workflow onto another version's spec, with SpiffWorkflow's own public helpers
(`SpiffWorkflow.bpmn.util.diff`: SpecDiff, WorkflowDiff, migrate_workflow), as SpiffArena does.

How: the old spec's tasks are aligned with the new spec's by bpmn id (the library also aligns a renamed
task whose neighbours match; `mapping` {old id: new id} names renamed steps explicitly); every task of the
workflow gets its aligned spec, and the waiting and ready tasks are reset and their future re-predicted from
the new diagram. A task keeps its id and data; a task in error stays in error (an admin's retry runs it on
the new spec); a timer keeps the moment it was set for when its expression did not change.

Refused, with the reason, when a task the case has (open, done or cancelled) has no counterpart in the target
(an open one: none of the same kind), a called process is missing, or the result would not be a workflow of
the target alone that saves and loads.
Limits: the tree before the open tasks is kept as it was (a changed earlier step is not run again); loops and
gateways already passed are not re-evaluated; a multi-instance task in progress keeps its instances.
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from app.engine import serializer
from app.errors import Message

OPEN_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
DONE_STATES = TaskState.COMPLETED | TaskState.CANCELLED


def _title(spec: Any) -> str:
    bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
    name = getattr(spec, "bpmn_name", None)
    return f"“{name}”({bpmn_id})" if name else f"{bpmn_id}"


def _spec_diff(original: Any, new: Any, mapping: dict[str, str]) -> Any:
    diff = SpecDiff(serializer.SERIALIZER.registry, original, new)
    for old_id, new_id in mapping.items():
        old, target = original.task_specs.get(old_id), new.task_specs.get(new_id)
        if old is None or target is None:
            continue
        diff.alignment[old] = target
        if target in diff.added:
            diff.added.remove(target)
    return diff


def _mapping_problems(workflow: Any, target: Any, mapping: dict[str, str]) -> list[str]:
    problems: list[str] = []
    old_specs = {**workflow.spec.task_specs}
    new_specs = {**target.spec.task_specs}
    for sub in workflow.subprocesses.values():
        old_specs.update(sub.spec.task_specs)
    for sub in target.subprocess_specs.values():
        new_specs.update(sub.task_specs)
    for old_id, new_id in sorted(mapping.items()):
        if old_id not in old_specs:
            problems.append(Message("映射的原步骤 {step} 不在原版本中", step=old_id))
        if new_id not in new_specs:
            problems.append(Message("映射的目标步骤 {step} 不在目标版本中", step=new_id))
    return problems


def _removed_problems(diff: Any) -> list[str]:
    """Tasks without a counterpart, and open ones whose counterpart is another kind of step (the library also
    aligns by neighbours: a waiting user task must not become a script that then runs)."""
    problems: list[str] = []
    for task, new in diff.alignment.items():
        if new is not None and task.has_state(OPEN_STATES) and type(new) is not type(task.task_spec):
            problems.append(Message("当前步骤{step}在目标版本中没有同类的对应步骤（对应到了{target}；"
                                    "可用 mapping 指定对应的新步骤）", step=_title(task.task_spec), target=_title(new)))
    for task in diff.removed:
        spec = task.task_spec
        if task.has_state(OPEN_STATES):
            problems.append(Message("当前步骤{step}在目标版本中不存在（可用 mapping 指定对应的新步骤）",
                                    step=_title(spec)))
        elif task.has_state(DONE_STATES):
            problems.append(Message("已办步骤{step}在目标版本中不存在（可用 mapping 指定对应的新步骤）",
                                    step=_title(spec)))
    return problems


def _diffs(workflow: Any, target: Any, mapping: dict[str, str], problems: list[str]) -> list[tuple[Any, Any, Any]]:
    """(workflow or sub-workflow, its diff, its new spec) for the workflow and each of its sub-workflows."""
    found = []
    pairs = [(workflow, target.spec)] + [(sub, target.subprocess_specs.get(sub.spec.name))
                                         for sub in workflow.subprocesses.values()]
    for flow, new_spec in pairs:
        if new_spec is None:
            problems.append(Message("调用的流程 {process} 在目标版本中不存在", process=flow.spec.name))
            continue
        try:
            diff = WorkflowDiff(flow, _spec_diff(flow.spec, new_spec, mapping))
        except KeyError as exc:  # a task whose spec the alignment did not reach
            problems.append(Message("步骤 {step} 无法与目标版本对应", step=str(exc)))
            continue
        problems.extend(_removed_problems(diff))
        found.append((flow, diff, new_spec))
    return found


def _timers(workflow: Any) -> dict[Any, tuple[type, str, dict[str, Any]]]:
    saved = {}
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, TimerEventDefinition):
            saved[task.id] = (type(definition), definition.expression, dict(task.internal_data))
    return saved


def _restore_timers(workflow: Any, saved: dict[Any, tuple[type, str, dict[str, Any]]]) -> None:
    """A waiting timer whose expression did not change keeps the moment it was set for."""
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        before = saved.get(task.id)
        if before and type(definition) is before[0] and getattr(definition, "expression", None) == before[1]:
            task.internal_data = dict(before[2])


def _foreign_problems(workflow: Any, target: Any) -> list[str]:
    own = {id(spec) for spec in target.spec.task_specs.values()}
    for sub in target.subprocess_specs.values():
        own |= {id(spec) for spec in sub.task_specs.values()}
    return [Message("步骤{step}无法迁移到目标版本", step=_title(task.task_spec)) for task in workflow.get_tasks()
            if id(task.task_spec) not in own]


def migrate(workflow: Any, target: Any, mapping: dict[str, str], script_engine: Any) -> list[str]:
    """Move `workflow` onto `target` (a runner Definition) in place; the reasons it cannot (then the workflow
    is in no defined state: discard it)."""
    problems = _mapping_problems(workflow, target, mapping)
    diffs = _diffs(workflow, target, mapping, problems)
    if problems:
        return problems
    timers = _timers(workflow)
    try:
        for flow, diff, new_spec in diffs:
            migrate_workflow(diff, flow, new_spec)
        workflow.subprocess_specs = target.subprocess_specs
        _restore_timers(workflow, timers)
    except Exception as exc:  # the library could not re-predict the open tasks on the new diagram
        return [Message("迁移失败：{error}", error=f"{type(exc).__name__}: {str(exc)[:300]}")]
    problems = _foreign_problems(workflow, target)
    if problems:
        return problems
    try:
        blob = serializer.dump_state(workflow)
        serializer.load_state(blob, serializer.SERIALIZER_VERSION, target.spec, target.subprocess_specs,
                              script_engine)
    except Exception as exc:  # StateUnreadable included: the moved state would not load
        return [Message("迁移后的流程状态无法保存或读取（{error}）", error=type(exc).__name__)]
    return []
