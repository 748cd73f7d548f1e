"""Drafts of procedures on the server (analysts and admins): made from a deployed version, saved as the
modeler and the form editor change them, checked like a deploy (a dry run), deployed as the procedure's next
version with a required note, deleted. A draft is never run by real cases.

Saves are optimistic: a save names the revision it started from, and a save over someone else's newer save is
refused (409) instead of silently losing it. A deployed draft is deleted: its files are the new version.
"""
from __future__ import annotations

import html
import json
import re
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from sqlalchemy import select

from app.db import utcnow
from app.engine import ProcedureBundle, names_read_by, unknown_keywords
from app.errors import DeployError, DomainError, InvalidForm, Message, NotFound
from app.extensions import db
from app.models import Actor, Procedure, ProcedureDraft, ProcedureVersion, VersionSource
from app.policy import require_procedure_analyst
from app.services import audit
from app.services.procedures import deploy
from app.services.procedures.bundles import LANES_FILE, Problem, file_problems
from app.services.procedures.deploy import DeployResult, get_procedure, get_version, version_files
from app.services.procedures.sandbox import delete_draft_runs
from app.services.procedures.versions import files_of, manifest_of

MAX_TITLE = 200
MAX_DRAFTS = 200  # of one procedure: more is a runaway script, not a team of analysts
NEW_KEY = re.compile(r"^[a-z][a-z0-9_]{2,59}$")


class DraftStale(DomainError):
    """Someone saved the draft after the caller loaded it: reload and apply the change again."""

    status, code, message = 409, "draft_stale", "草稿已被他人修改，请重新打开后再保存"


def _title(text: str | None, fallback: str) -> str:
    title = (text or "").strip() or fallback
    if len(title) > MAX_TITLE:
        raise InvalidForm({"title": Message("最多填写 {limit} 个字符", limit=MAX_TITLE)})
    return title


def list_drafts(actor: Actor, key: str | None = None) -> list[ProcedureDraft]:
    """Drafts (of one procedure, or all), the newest change first."""
    require_procedure_analyst(actor)
    query = select(ProcedureDraft).order_by(ProcedureDraft.updated_at.desc(), ProcedureDraft.id.desc())
    if key is not None:
        query = query.where(ProcedureDraft.procedure_key == key)
    return list(db.session.scalars(query))


def get_draft(actor: Actor, draft_id: int, key: str | None = None) -> ProcedureDraft:
    """The draft (of procedure `key` when given: another procedure's draft is not found)."""
    require_procedure_analyst(actor)
    draft = db.session.get(ProcedureDraft, draft_id)
    if draft is None or (key is not None and draft.procedure_key != key):
        raise NotFound("未找到草稿", code="draft_not_found")
    return draft


def template_files(key: str, name: str) -> dict[str, str]:
    """A new procedure's first files: a start event, one task of the applicant with a form, an end."""
    prefix = re.sub(r"[^A-Z]", "", key.upper())[:4] or "NEW"
    bpmn = NEW_PROCEDURE_BPMN.format(key=key, name=html.escape(name, quote=True), prefix=prefix)
    form = {"title": name, "type": "object", "required": ["reason"],
            "properties": {"reason": {"type": "string", "title": "申请事由", "maxLength": 500}}}
    lanes = {"申请企业": {"role": "enterprise", "scope": "applicant"}}
    return {f"bpmn/{key}.bpmn": bpmn, f"forms/{key}_request.json": json.dumps(form, ensure_ascii=False, indent=2),
            LANES_FILE: json.dumps(lanes, ensure_ascii=False, indent=2) + "\n"}


def create_draft(actor: Actor, key: str, from_version: int | None = None, title: str | None = None,
                 name: str | None = None) -> ProcedureDraft:
    """A draft of procedure `key`: the files of version `from_version` (default: the current one); for a key
    no procedure has yet, a new procedure's first files (a start, one task with a form, an end)."""
    require_procedure_analyst(actor)
    procedure = db.session.scalar(select(Procedure).where(Procedure.key == key))
    if procedure is None:
        if from_version is not None:
            get_procedure(key)  # 404: no such procedure to start from
        if not NEW_KEY.match(key):
            raise InvalidForm({"key": Message("事项编码须为 3–60 个小写字母、数字或下划线，以字母开头")})
        label = (name or "").strip()[:100] or key
        files, base = template_files(key, label), None
    else:
        version = (get_version(procedure, from_version) if from_version is not None
                   else procedure.current_version)
        if version is None:
            raise NotFound(Message("事项 {key} 尚无版本", key=key), code="procedure_version_not_found")
        files = version_files(files_of(version.id), manifest_of(version.id))
        base, label = version.version, procedure.name
    count = len(list_drafts(actor, key))
    if count >= MAX_DRAFTS:
        raise InvalidForm({}, message=Message("事项 {key} 的草稿已达 {n} 个，请先删除不用的草稿", key=key,
                                              n=MAX_DRAFTS))
    draft = ProcedureDraft(procedure_key=key, title=_title(title, label), files=files, base_version=base,
                           author=actor.username, updated_by=actor.username, revision=1)
    db.session.add(draft)
    db.session.flush()
    audit.record(actor, "procedure.draft_created", "procedure_draft", draft.id, procedure=key, from_version=base,
                 title=draft.title)
    return draft


def _audit_change(actor: Actor, action: str, draft: ProcedureDraft, **details: Any) -> None:
    audit.record(actor, action, "procedure_draft", draft.id, procedure=draft.procedure_key, **details)


def _files_changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The names of the files added, changed or removed (the texts stay in the draft, not in the log)."""
    return sorted(name for name in {*before, *after} if before.get(name) != after.get(name))


def save_draft(actor: Actor, draft_id: int, files: dict[str, Any] | None = None, title: str | None = None,
               revision: int | None = None) -> ProcedureDraft:
    """Replace the draft's files (names, types and sizes checked as a deploy checks them; the content is
    checked by check_draft) and/or its title. `revision`: the one the caller loaded (a newer save: 409).
    Audited once a save (saves are explicit: the modeler's and editors' save buttons, no autosave)."""
    draft = get_draft(actor, draft_id)
    before, title_before = dict(draft.files), draft.title
    _replace(actor, draft, files, title, revision)
    _audit_change(actor, "procedure.draft_saved", draft, revision=draft.revision,
                  files_changed=_files_changed(before, draft.files),
                  title=draft.title if draft.title != title_before else None)
    return draft


def _replace(actor: Actor, draft: ProcedureDraft, files: dict[str, Any] | None, title: str | None,
             revision: int | None) -> None:
    """save_draft's change, not audited: the caller records the action it is part of."""
    if revision is not None and revision != draft.revision:
        raise DraftStale()
    if files is not None:
        problems = file_problems(files) or ([] if files else [
            {"file": None, "element": None, "problem": "草稿中没有文件"}])
        if problems:
            raise DeployError(problems)
        draft.files = dict(files)
    if title is not None:
        draft.title = _title(title, draft.title)
    draft.revision += 1
    draft.updated_at, draft.updated_by = utcnow(), actor.username
    db.session.flush()


def update_draft_files(actor: Actor, draft_id: int, changes: dict[str, str | None],
                       revision: int | None = None, action: str = "procedure.draft_saved",
                       **details: Any) -> ProcedureDraft:
    """Change some of the draft's files (the modeler saves its diagram and lane map, the form editor one form):
    a text replaces or adds the file, None removes it. Audited as `action` (a save, or the form or decision
    table added or removed) with `details`: one entry for what the analyst did."""
    draft = get_draft(actor, draft_id)
    before = dict(draft.files)
    files = dict(draft.files)
    for name, text in changes.items():
        if text is None:
            files.pop(name, None)
        else:
            files[name] = text
    _replace(actor, draft, files, None, revision)
    _audit_change(actor, action, draft, revision=draft.revision, files_changed=_files_changed(before, draft.files),
                  **details)
    return draft


def delete_draft(actor: Actor, draft_id: int) -> None:
    """The draft and its sandbox runs."""
    draft = get_draft(actor, draft_id)
    db.session.delete(draft)
    runs = delete_draft_runs(draft_id)
    db.session.flush()
    _audit_change(actor, "procedure.draft_deleted", draft, title=draft.title, runs_deleted=runs)


def check_draft(actor: Actor, draft_id: int) -> list[Problem]:
    """What a deploy of the draft would refuse: [{file, element, problem}] (none: it deploys)."""
    draft = get_draft(actor, draft_id)
    try:
        _checked(draft)
    except DeployError as refused:
        return list(refused.problems)
    return []


def _checked(draft: ProcedureDraft) -> ProcedureBundle:
    """The draft's files as the deploy checks and stores them, and a form of the draft no task uses refused: a
    deploy stores only the forms its tasks use, and deletes the draft, so an analyst's new form not linked yet
    would be lost. (A deploy through the API may post forms of other procedures beside a diagram: those are not
    refused there.)"""
    bundle = deploy.check_files(draft.procedure_key, draft.files)
    unused = [name for name in sorted(draft.files) if name.startswith("forms/") and name not in bundle.files]
    if unused:
        raise DeployError([{"file": name, "element": name.removeprefix("forms/").removesuffix(".json"),
                            "problem": Message("表单 “{form}” 没有被任何任务使用，部署时不会保存："
                                               "请在用户任务的表单（formKey）中选用它，或删除此表单",
                                               form=name.removeprefix("forms/").removesuffix(".json"))}
                           for name in unused])
    return bundle


def current_version_of(draft: ProcedureDraft) -> int | None:
    """The procedure's current version number now (None: none yet): the draft page warns when it is not the
    draft's base."""
    return db.session.scalar(select(ProcedureVersion.version).join(
        Procedure, Procedure.current_version_id == ProcedureVersion.id).where(Procedure.key == draft.procedure_key))


def deploy_draft(actor: Actor, draft_id: int, note: str | None, replacing: int | None = None) -> DeployResult:
    """Deploy the draft as the procedure's next version (current at once) with a required note; the draft is
    deleted. Refused (DeployError naming file and element, nothing stored) when the deploy checks fail, and
    (BaseVersionChanged) when the current version is no longer the draft's base, unless it is `replacing`: the
    version the analyst compared the draft with and chose to replace (another analyst's deploy since the draft
    was made would otherwise be undone without a word)."""
    draft = get_draft(actor, draft_id)
    deploy.require_note(note)
    expected = deploy.Replacing(replacing if replacing is not None else draft.base_version)
    result = deploy.deploy_bundle(actor, _checked(draft), note, VersionSource.PAGES, expected)
    db.session.delete(draft)
    runs = delete_draft_runs(draft_id)  # its tries go with it
    db.session.flush()
    _audit_change(actor, "procedure.draft_deleted", draft, title=draft.title, runs_deleted=runs,
                  deployed_as=result.version)
    return result


def no_new_version(result: DeployResult) -> Message | None:
    """What a draft's deploy that made no new version did, in words (None: a new version): its content is a
    version's already, made current again with the note, or the current one, with nothing changed or recorded.
    The draft is deleted either way, as after any deploy."""
    if result.created:
        return None
    if result.state == "made_current":
        return Message("草稿内容与版本 {n} 相同，未创建新版本：版本 {n} 已重新设为当前版本，变更说明已记录；草稿已删除",
                       n=result.version)
    return Message("草稿内容与当前版本 {n} 相同，未部署：未创建新版本，变更说明未记录；草稿已删除", n=result.version)


# -- forms of a draft ------------------------------------------------------------------------------------------

MAX_FORM_BYTES = 1024 * 1024  # as a deployed file
FORM_KEY = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]{0,59}$")
def new_form_text(title: str) -> str:
    form = {"title": title, "type": "object", "required": [],
            "properties": {"comment": {"type": "string", "title": "意见", "maxLength": 500}}}
    return json.dumps(form, ensure_ascii=False, indent=2) + "\n"


def add_form(actor: Actor, draft_id: int, form_key: str) -> ProcedureDraft:
    """A new form `forms/<form_key>.json` in the draft (one field to start from)."""
    draft = get_draft(actor, draft_id)
    if not FORM_KEY.match(form_key or ""):
        raise InvalidForm({"form_key": Message("表单编码须为 1–60 个字母、数字、下划线或连字符")})
    name = f"forms/{form_key}.json"
    if name in draft.files:
        raise InvalidForm({"form_key": Message("草稿中已有表单 {key}", key=form_key)})
    return update_draft_files(actor, draft_id, {name: new_form_text(form_key)}, action="procedure.form_added",
                              form=form_key)


def remove_form(actor: Actor, draft_id: int, form_key: str) -> ProcedureDraft:
    """The form `forms/<form_key>.json` out of the draft (a form no task uses, such as a new procedure's starter
    form once the diagram uses others: the deploy checks refuse it, rather than drop it unsaid)."""
    draft = get_draft(actor, draft_id)
    name = f"forms/{form_key}.json"
    if name not in draft.files:
        raise NotFound("草稿中没有该表单", code="form_not_found")
    return update_draft_files(actor, draft_id, {name: None}, action="procedure.form_removed", form=form_key)


def _names_read(files: dict[str, str]) -> set[str]:
    try:
        return names_read_by(files)
    except Exception:  # a diagram that does not parse: the deploy checks say so
        return set()


def check_form(actor: Actor, draft_id: int, form_key: str, text: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """(the parsed schema or None, problems) of a form's text as edited: JSON, a valid JSON Schema, keywords
    neither JSON Schema nor ours, and fields the draft's conditions and scripts read that the saved form had and
    this text drops."""
    draft = get_draft(actor, draft_id)
    name = f"forms/{form_key}.json"
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [{"file": name, "element": None,
                       "problem": Message("不是有效的 JSON：第 {line} 行第 {column} 列 {error}", line=exc.lineno,
                                          column=exc.colno, error=exc.msg)}]
    if not isinstance(schema, dict):
        return None, [{"file": name, "element": None, "problem": "表单须为 JSON 对象"}]
    problems: list[Problem] = []
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = ".".join(str(p) for p in exc.path) or None
        problems.append({"file": name, "element": where,
                         "problem": Message("不是有效的 JSON Schema：{error}", error=exc.message)})
    problems += [{"file": name, "element": where, "problem": Message("未知关键字 “{keyword}”", keyword=keyword)}
                 for where, keyword in unknown_keywords(schema)]
    try:
        before = set(json.loads(draft.files.get(name) or "{}").get("properties") or {})
    except (json.JSONDecodeError, AttributeError):
        before = set()
    now = set(schema.get("properties") or {}) if isinstance(schema.get("properties"), dict) else set()
    for field in sorted((before - now) & _names_read(draft.files)):
        problems.append({"file": name, "element": field,
                         "problem": Message("流程图的条件或脚本读取字段 “{field}”，而表单中已没有此字段", field=field)})
    return schema, problems


NEW_PROCEDURE_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="defs_{key}" targetNamespace="http://gjy.example/bpmn">
  <bpmn:collaboration id="collab_{key}">
    <bpmn:participant id="pool_{key}" name="{name}" processRef="{key}"/>
  </bpmn:collaboration>
  <bpmn:process id="{key}" name="{name}" isExecutable="true">
    <bpmn:extensionElements>
      <spiffworkflow:properties>
        <spiffworkflow:property name="casePrefix" value="{prefix}"/>
        <spiffworkflow:property name="startRoles" value="enterprise"/>
      </spiffworkflow:properties>
    </bpmn:extensionElements>
    <bpmn:laneSet id="laneset_{key}">
      <bpmn:lane id="lane_{key}_applicant" name="申请企业">
        <bpmn:flowNodeRef>start_{key}</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>submit_{key}</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_{key}</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start_{key}" name="开始"><bpmn:outgoing>f_{key}_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="submit_{key}" name="填写申请">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formKey" value="{key}_request"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f_{key}_1</bpmn:incoming><bpmn:outgoing>f_{key}_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end_{key}" name="结束"><bpmn:incoming>f_{key}_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_{key}_1" sourceRef="start_{key}" targetRef="submit_{key}"/>
    <bpmn:sequenceFlow id="f_{key}_2" sourceRef="submit_{key}" targetRef="end_{key}"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_{key}">
    <bpmndi:BPMNPlane id="plane_{key}" bpmnElement="collab_{key}">
      <bpmndi:BPMNShape id="pool_{key}_di" bpmnElement="pool_{key}" isHorizontal="true">
        <dc:Bounds x="100" y="60" width="600" height="200"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="lane_{key}_applicant_di" bpmnElement="lane_{key}_applicant" isHorizontal="true">
        <dc:Bounds x="130" y="60" width="570" height="200"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="start_{key}_di" bpmnElement="start_{key}">
        <dc:Bounds x="182" y="142" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="submit_{key}_di" bpmnElement="submit_{key}">
        <dc:Bounds x="300" y="120" width="100" height="80"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_{key}_di" bpmnElement="end_{key}">
        <dc:Bounds x="502" y="142" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f_{key}_1_di" bpmnElement="f_{key}_1">
        <di:waypoint x="218" y="160"/><di:waypoint x="300" y="160"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_{key}_2_di" bpmnElement="f_{key}_2">
        <di:waypoint x="400" y="160"/><di:waypoint x="502" y="160"/>
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
