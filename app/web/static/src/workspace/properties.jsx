// Our extension properties in bpmn-js-properties-panel: the procedure (process / pool), lanes (role and scope,
// kept in the draft's lane map, not in the XML), user tasks, service tasks (handler), business rule tasks (the
// draft's decision tables), sequence flows (conditions built from the forms' fields, the value picked from the
// field's choices where it offers a fixed set, default flow), and the
// English name (`nameEn`) of the process, lanes, tasks, events and gateways. Everything is written as spiffworkflow:properties through
// modeling commands, so undo works and the analyst never edits XML.
import * as panel from "@bpmn-io/properties-panel";
import { isTextFieldEntryEdited, isSelectEntryEdited, isCheckboxEntryEdited, isTextAreaEntryEdited } from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";
import { flushPending } from "./debounce";
import { t } from "./i18n";

// Our entries write the values still waiting in the panel's other fields (debounced input) before their own:
// a value typed just before another field is changed is not lost.
function flushing(props) {
  return { ...props, setValue: (...args) => { flushPending(); return props.setValue(...args); } };
}
const TextFieldEntry = (props) => panel.TextFieldEntry(flushing(props));
const SelectEntry = (props) => panel.SelectEntry(flushing(props));
const CheckboxEntry = (props) => panel.CheckboxEntry(flushing(props));
const TextAreaEntry = (props) => panel.TextAreaEntry(flushing(props));

// -- spiffworkflow:properties -------------------------------------------------------------------------------

function extensionValues(bo) {
  return (bo.extensionElements && bo.extensionElements.values) || [];
}

function propertiesOf(bo) {
  return extensionValues(bo).find((v) => is(v, "spiffworkflow:Properties"));
}

export function getProperty(bo, name) {
  const container = propertiesOf(bo);
  const found = container && (container.values || []).find((p) => p.name === name);
  return found ? found.value || "" : "";
}

function ensureExtensionElements(element, bo, modeling, bpmnFactory) {
  if (!bo.extensionElements) {
    const ext = bpmnFactory.create("bpmn:ExtensionElements", { values: [] });
    ext.$parent = bo;
    modeling.updateModdleProperties(element, bo, { extensionElements: ext });
  }
  return bo.extensionElements;
}

export function setProperty(element, bo, name, value, modeling, bpmnFactory) {
  const text = (value || "").trim();
  let container = propertiesOf(bo);
  if (!container) {
    if (!text) { return; }
    const ext = ensureExtensionElements(element, bo, modeling, bpmnFactory);
    container = bpmnFactory.create("spiffworkflow:Properties", { values: [] });
    container.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: [...ext.values, container] });
  }
  const values = container.values || [];
  const found = values.find((p) => p.name === name);
  if (!text) {
    if (found) { modeling.updateModdleProperties(element, container, { values: values.filter((p) => p !== found) }); }
  } else if (found) {
    modeling.updateModdleProperties(element, found, { value: text });
  } else {
    const property = bpmnFactory.create("spiffworkflow:Property", { name, value: text });
    property.$parent = container;
    modeling.updateModdleProperties(element, container, { values: [...values, property] });
  }
}

// -- entries ---------------------------------------------------------------------------------------------------

function options(values, empty) {
  const list = values.map((v) => (typeof v === "string" ? { value: v, label: v } : v));
  return empty === false ? list : [{ value: "", label: t("（无）", "(none)") }, ...list];
}

function PropertyText(props) {
  const { element, id, name, label, description, target } = props;
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const debounce = useService("debounceInput");
  const bo = target || getBusinessObject(element);
  return TextFieldEntry({ element, id, label, description, debounce,
    getValue: () => getProperty(bo, name),
    setValue: (value) => setProperty(element, bo, name, value, modeling, bpmnFactory) });
}

function PropertySelect(props) {
  const { element, id, name, label, description, choices, target } = props;
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const bo = target || getBusinessObject(element);
  const current = getProperty(bo, name);
  const list = choices().slice();
  if (current && !list.some((o) => (o.value || o) === current)) { list.push({ value: current, label: current + t("（未知）", " (unknown)") }); }
  return SelectEntry({ element, id, label, description,
    getValue: () => getProperty(bo, name),
    setValue: (value) => setProperty(element, bo, name, value, modeling, bpmnFactory),
    getOptions: () => options(list) });
}

function PropertyCheckbox(props) {
  const { element, id, name, label, description } = props;
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const bo = getBusinessObject(element);
  return CheckboxEntry({ element, id, label, description,
    getValue: () => getProperty(bo, name) === "true",
    setValue: (value) => setProperty(element, bo, name, value ? "true" : "", modeling, bpmnFactory) });
}

// An entry names its component, a module function, and carries the component's settings: the panel renders it
// with the entry as props. A function made anew for each render would be another component to Preact, which
// would then replace the field on every change written (a pause while typing) and take the analyst's focus.
function entry(element, id, component, extra) {
  return { ...extra, id, element, component, isEdited: extra.edited || isTextFieldEntryEdited };
}

function text(element, name, label, description, target) {
  return entry(element, "gjy-" + name, PropertyText, { name, label, description, target });
}

function select(element, name, label, choices, description, target) {
  return entry(element, "gjy-" + name, PropertySelect, { name, label, choices, description, target, edited: isSelectEntryEdited });
}

function checkbox(element, name, label, description) {
  return entry(element, "gjy-" + name, PropertyCheckbox, { name, label, description, edited: isCheckboxEntryEdited });
}

// -- the groups -----------------------------------------------------------------------------------------------

function processOf(element) {
  const bo = getBusinessObject(element);
  if (is(bo, "bpmn:Participant")) { return bo.processRef; }
  if (is(bo, "bpmn:Process")) { return bo; }
  return null;
}

function userTaskIds(element, data) {
  const registry = data.elementRegistry;
  return registry.filter((e) => is(e, "bpmn:UserTask") && e.id !== element.id)
    .map((e) => ({ value: e.id, label: (getBusinessObject(e).name || e.id) + " (" + e.id + ")" }));
}

function processGroup(element, data) {
  const process = processOf(element);
  const forms = () => Object.keys(data.forms);
  const handlers = () => data.handlers;
  return { id: "gjy-procedure", label: t("事项属性", "Procedure"), entries: [
    text(element, "casePrefix", t("办件编号前缀", "Case prefix"), t("1–6 个大写字母，如 JS", "1–6 capital letters, e.g. JS"), process),
    text(element, "startRoles", t("可发起的角色", "Start roles"), t("逗号分隔，如 enterprise；空：任何登录用户", "comma-separated, e.g. enterprise; empty: anyone"), process),
    text(element, "startOrganisations", t("可发起的单位类型", "Start organisation kinds"),
      t("逗号分隔：enterprise 企业、construction_unit 建设单位、individual 个人、authority 主管部门；空：任何单位",
        "comma-separated: enterprise, construction_unit, individual, authority; empty: any"), process),
    select(element, "startForm", t("发起表单", "Start form"), forms, null, process),
    select(element, "startHandler", t("发起时处理程序", "Start handler"), handlers, null, process),
    select(element, "withdrawHandler", t("撤回前处理程序", "Withdraw handler"), handlers, null, process),
    text(element, "statutoryLimit", t("法定时限", "Statutory limit"), t("如 3 working days", "e.g. 3 working days"), process),
    text(element, "committedLimit", t("承诺时限", "Committed limit"), t("如 5 working days", "e.g. 5 working days"), process),
    text(element, "warningShare", t("预警比例", "Warning share"), t("如 0.8（默认 0.9）", "e.g. 0.8 (default 0.9)"), process),
    select(element, "supplementClock", t("补正后时钟", "Clock after 补正"),
      () => [{ value: "resume", label: t("继续计时（resume）", "resume") }, { value: "restart", label: t("重新计时（restart）", "restart") }], null, process),
  ] };
}

function LaneSelect(props) {
  const { element, id, label, field, choices, data } = props;
  const bo = getBusinessObject(element);
  const eventBus = useService("eventBus");
  return SelectEntry({ element, id, label,
    getValue: () => ((data.lanes[bo.name || ""] || {})[field] || ""),
    setValue: (value) => {
      const name = bo.name || "";
      if (!name) { return; }
      const rule = { ...(data.lanes[name] || {}) };
      if (value) { rule[field] = value; } else { delete rule[field]; }
      data.lanes[name] = rule;
      eventBus.fire("gjy.lanes.changed", { lane: name });
      eventBus.fire("elements.changed", { elements: [element] });
    },
    getOptions: () => options(choices) });
}

function laneGroup(element, data) {
  const scopes = [
    { value: "applicant", label: t("申请人本单位（applicant）", "applicant's organisation") },
    { value: "case_city", label: t("办件所在市（case_city）", "the case's city") },
    { value: "case_region", label: t("办件所在地区（case_region）", "the case's region") },
    { value: "province", label: t("自治区（province）", "the province") }];
  return { id: "gjy-lane", label: t("泳道 → 角色与辖区", "Lane → role and region"), entries: [
    { id: "gjy-lane-role", element, isEdited: isSelectEntryEdited,
      component: LaneSelect, label: t("角色（按泳道名称）", "Role (by lane name)"), field: "role", choices: data.roles, data },
    { id: "gjy-lane-scope", element, isEdited: isSelectEntryEdited,
      component: LaneSelect, label: t("辖区规则", "Region rule"), field: "scope", choices: scopes, data },
  ] };
}

function userTaskGroup(element, data) {
  const others = () => userTaskIds(element, data);
  return { id: "gjy-user-task", label: t("办理步骤", "User task"), entries: [
    select(element, "formKey", t("表单", "Form"), () => Object.keys(data.forms)),
    select(element, "validator", t("表单校验程序", "Validator"), () => data.validators),
    text(element, "dueIn", t("办理时限", "Deadline"), t("如 3 working days、5 calendar days、PT4H", "e.g. 3 working days, 5 calendar days, PT4H")),
    text(element, "warnAt", t("预警比例", "Warning share")),
    checkbox(element, "clockExcluded", t("不计入办件时限（如实地核查）", "Excluded from the case clock")),
    select(element, "notSameAs", t("不得由以下步骤的办理人办理（四眼原则）", "Not the person who did (four eyes)"), others),
    select(element, "sameAs", t("由以下步骤的办理人办理", "Same person as"), others),
    checkbox(element, "notifyApplicant", t("本步骤开始时通知申请人", "Notify the applicant at this step")),
  ] };
}

function operatorOf(bo) {
  return extensionValues(bo).find((v) => is(v, "spiffworkflow:ServiceTaskOperator"));
}

function HandlerSelect(props) {
  const { element, id, data } = props;
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const bo = getBusinessObject(element);
  return SelectEntry({ element, id, label: t("处理程序", "Handler"),
    getValue: () => ((operatorOf(bo) || {}).id || ""),
    setValue: (value) => {
      let operator = operatorOf(bo);
      if (!operator) {
        const ext = ensureExtensionElements(element, bo, modeling, bpmnFactory);
        operator = bpmnFactory.create("spiffworkflow:ServiceTaskOperator", { id: value });
        operator.$parent = ext;
        modeling.updateModdleProperties(element, ext, { values: [...ext.values, operator] });
      } else {
        modeling.updateModdleProperties(element, operator, { id: value });
      }
    },
    getOptions: () => options(data.handlers) });
}

function ResultVariable(props) {
  const { element, id } = props;
  const modeling = useService("modeling");
  const debounce = useService("debounceInput");
  const bo = getBusinessObject(element);
  return TextFieldEntry({ element, id, label: t("结果变量", "Result variable"), debounce,
    getValue: () => ((operatorOf(bo) || {}).resultVariable || ""),
    setValue: (value) => { const op = operatorOf(bo); if (op) { modeling.updateModdleProperties(element, op, { resultVariable: value || undefined }); } } });
}

function Parameters(props) {
  const { element, id } = props;
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const debounce = useService("debounceInput");
  const bo = getBusinessObject(element);
  const current = () => {
    const op = operatorOf(bo);
    return ((op && op.parameterList && op.parameterList.parameters) || []).map((p) => p.id + " = " + (p.value || "")).join("\n");
  };
  return TextAreaEntry({ element, id, debounce, rows: 3, label: t("参数（每行：名称 = 表达式）", "Parameters (one a line: name = expression)"),
    getValue: current,
    setValue: (value) => {
      const op = operatorOf(bo);
      if (!op) { return; }
      const old = (op.parameterList && op.parameterList.parameters) || [];
      const list = bpmnFactory.create("spiffworkflow:Parameters", { parameters: [] });
      list.$parent = op;
      (value || "").split("\n").map((l) => l.trim()).filter(Boolean).forEach((line) => {
        const at = line.indexOf("=");
        if (at < 1) { return; }
        const name = line.slice(0, at).trim();
        const before = old.find((p) => p.id === name);
        const param = bpmnFactory.create("spiffworkflow:Parameter", { id: name, type: before ? before.type : "str", value: line.slice(at + 1).trim() });
        param.$parent = list;
        list.parameters.push(param);
      });
      modeling.updateModdleProperties(element, op, { parameterList: list });
    } });
}

function serviceTaskGroup(element, data) {
  return { id: "gjy-service-task", label: t("自动处理", "Service task"), entries: [
    { id: "gjy-handler", element, isEdited: isSelectEntryEdited, component: HandlerSelect, data },
    { id: "gjy-result", element, isEdited: isTextFieldEntryEdited, component: ResultVariable },
    { id: "gjy-parameters", element, isEdited: isTextAreaEntryEdited, component: Parameters },
  ] };
}

// -- business rule tasks: the decision table they run --------------------------------------------------------------

function calledDecisionOf(bo) {
  return extensionValues(bo).find((v) => is(v, "spiffworkflow:CalledDecisionId"));
}

function DecisionSelect(props) {
  const { element, id, data } = props;
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const bo = getBusinessObject(element);
  const current = (calledDecisionOf(bo) || {}).value || "";
  const choices = (data.decisions || []).map((d) => ({ value: d.id, label: (d.name && d.name !== d.id ? d.name + " (" + d.id + ")" : d.id) }));
  if (current && !choices.some((c) => c.value === current)) { choices.push({ value: current, label: current + t("（未知）", " (unknown)") }); }
  return SelectEntry({ element, id, label: t("决策表", "Decision table"),
    description: t("在草稿页面“决策表”中新建和编辑", "made and edited under Decision tables on the draft page"),
    getValue: () => ((calledDecisionOf(bo) || {}).value || ""),
    setValue: (value) => {
      const found = calledDecisionOf(bo);
      if (!value) {
        if (found) { modeling.updateModdleProperties(element, bo.extensionElements, { values: bo.extensionElements.values.filter((v) => v !== found) }); }
      } else if (found) {
        modeling.updateModdleProperties(element, found, { value });
      } else {
        const ext = ensureExtensionElements(element, bo, modeling, bpmnFactory);
        const called = bpmnFactory.create("spiffworkflow:CalledDecisionId", { value });
        called.$parent = ext;
        modeling.updateModdleProperties(element, ext, { values: [...ext.values, called] });
      }
    },
    getOptions: () => options(choices) });
}

function businessRuleTaskGroup(element, data) {
  return { id: "gjy-business-rule-task", label: t("业务规则（决策表）", "Business rule (decision table)"), entries: [
    { id: "gjy-decision", element, isEdited: isSelectEntryEdited, component: DecisionSelect, data },
  ] };
}

// -- English names: `nameEn` of the process, lanes, tasks, events and gateways ---------------------------------------

function englishNameTarget(element) {
  const bo = getBusinessObject(element);
  if (is(bo, "bpmn:Participant")) { return bo.processRef || null; }
  if (["bpmn:Process", "bpmn:Lane", "bpmn:Activity", "bpmn:Event", "bpmn:Gateway"].some((type) => is(bo, type))) { return bo; }
  return null;
}

function englishNameEntry(element, target) {
  return text(element, "nameEn", t("英文名称", "English name"),
    t("英文界面显示的名称", "the name shown in the English pages"), target);
}

// -- conditions on sequence flows --------------------------------------------------------------------------------

const SIMPLE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*==\s*"([^"]*)"\s*$/;

// The value typed for a flow whose field is not chosen yet (by business object): without it, the value was lost
// when the field was chosen after it (the condition is only created by that choice).
const pendingValues = new WeakMap();

function conditionOf(bo) {
  return (bo.conditionExpression && bo.conditionExpression.body) || "";
}

function setCondition(element, body, modeling, bpmnFactory) {
  const text = (body || "").trim();
  modeling.updateProperties(element, { conditionExpression: text ?
    bpmnFactory.create("bpmn:FormalExpression", { body: text }) : undefined });
}

function ConditionField(props) {
  const { element, id, data } = props;
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const bo = getBusinessObject(element);
  return SelectEntry({ element, id, label: t("条件字段（表单字段）", "Condition field (form field)"),
    description: t("表单字段或决策表的输出", "a form field or a decision table's output"),
    getValue: () => { const m = SIMPLE.exec(conditionOf(bo)); return m ? m[1] : ""; },
    setValue: (value) => {
      const m = SIMPLE.exec(conditionOf(bo));
      const typed = m ? m[2] : (pendingValues.get(bo) || "");
      if (value) { pendingValues.delete(bo); } else if (m) { pendingValues.set(bo, m[2]); }
      setCondition(element, value ? value + ' == "' + typed + '"' : "", modeling, bpmnFactory);
    },
    getOptions: () => options(data.fields()) });
}

// "title (const)" of each value a field offers (deploy refuses any other), in the page's language.
function valueOptions(offered, current) {
  const list = offered.map((c) => {
    const title = t(c.title, c.title_en || c.title);
    return { value: c.value, label: title ? title + " (" + c.value + ")" : c.value };
  });
  if (current && !offered.some((c) => c.value === current)) { list.push({ value: current, label: current + t("（不是可选值）", " (not offered)") }); }
  return options(list);
}

function ConditionValue(props) {
  const { element, id, data } = props;
  const modeling = useService("modeling");
  const eventBus = useService("eventBus");
  const bpmnFactory = useService("bpmnFactory");
  const debounce = useService("debounceInput");
  const bo = getBusinessObject(element);
  const label = t("等于", "Equals");
  const getValue = () => { const m = SIMPLE.exec(conditionOf(bo)); return m ? m[2] : (pendingValues.get(bo) || ""); };
  const chosen = SIMPLE.exec(conditionOf(bo));
  const offered = chosen ? data.valueChoices(chosen[1]) : null;
  if (offered) {
    // The field offers a fixed set: the analyst picks one (stored as the value itself, not its title).
    return SelectEntry({ element, id, label, getValue,
      setValue: (value) => {
        const m = SIMPLE.exec(conditionOf(bo));
        if (m) { setCondition(element, m[1] + ' == "' + (value || "").replace(/"/g, "") + '"', modeling, bpmnFactory); }
      },
      getOptions: () => valueOptions(offered, getValue()) });
  }
  return TextFieldEntry({ element, id, debounce, label,
    getValue,
    setValue: (value) => {
      const m = SIMPLE.exec(conditionOf(bo));
      const typed = (value || "").replace(/"/g, "");
      if (m) {
        setCondition(element, m[1] + ' == "' + typed + '"', modeling, bpmnFactory);
      } else {
        // No field chosen yet: the value waits for it (typing first, choosing the field after, is the usual order).
        if (typed) { pendingValues.set(bo, typed); } else { pendingValues.delete(bo); }
        eventBus.fire("elements.changed", { elements: [element] });
      }
    } });
}

function ConditionExpression(props) {
  const { element, id } = props;
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const debounce = useService("debounceInput");
  const bo = getBusinessObject(element);
  return TextFieldEntry({ element, id, debounce, label: t("条件表达式", "Condition expression"),
    description: t("如 decision == \"approve\"；可由上面两项生成", "e.g. decision == \"approve\"; or built above"),
    getValue: () => conditionOf(bo),
    setValue: (value) => setCondition(element, value, modeling, bpmnFactory) });
}

function DefaultFlow(props) {
  const { element, id } = props;
  const modeling = useService("modeling");
  const bo = getBusinessObject(element);
  const source = element.source;
  return CheckboxEntry({ element, id, label: t("默认路径（其他条件都不满足时）", "Default flow (when no condition holds)"),
    getValue: () => !!(source && getBusinessObject(source).default === bo),
    setValue: (value) => { modeling.updateProperties(source, { default: value ? bo : undefined }); } });
}

function flowGroup(element, data) {
  const source = element.source && getBusinessObject(element.source);
  const entries = [
    { id: "gjy-condition-field", element, isEdited: isSelectEntryEdited, component: ConditionField, data },
    { id: "gjy-condition-value", element, isEdited: isTextFieldEntryEdited, component: ConditionValue, data },
    { id: "gjy-condition", element, isEdited: isTextFieldEntryEdited, component: ConditionExpression },
  ];
  if (source && (is(source, "bpmn:ExclusiveGateway") || is(source, "bpmn:InclusiveGateway"))) {
    entries.push({ id: "gjy-default-flow", element, isEdited: isCheckboxEntryEdited, component: DefaultFlow });
  }
  return { id: "gjy-flow", label: t("流转条件", "Condition"), entries };
}

// -- scripts and timers (bpmn/README.md, "Scripts, conditions, timers") ------------------------------------------------

function ScriptBody(props) {
  const { element, id } = props;
  const modeling = useService("modeling");
  const debounce = useService("debounceInput");
  const bo = getBusinessObject(element);
  return TextAreaEntry({ element, id, debounce, monospace: true, rows: 6,
    label: t("脚本（Python，受限）", "Script (restricted Python)"),
    description: t("读写办件数据，如 round_no = round_no + 1；不允许 import、while、class 和以下划线开头的名称",
      "reads and writes the case data, e.g. round_no = round_no + 1; no import, while, class or names starting with _"),
    getValue: () => bo.script || "",
    setValue: (value) => modeling.updateProperties(element, { scriptFormat: "python", script: value || undefined }) });
}

function scriptTaskGroup(element) {
  return { id: "gjy-script-task", label: t("脚本", "Script"), entries: [
    { id: "gjy-script", element, isEdited: isTextAreaEntryEdited, component: ScriptBody },
  ] };
}

const TIMER_KINDS = ["timeDate", "timeDuration", "timeCycle"];

function timerOf(bo) {
  return (bo.eventDefinitions || []).find((d) => is(d, "bpmn:TimerEventDefinition"));
}

function timerKindOf(timer) {
  return TIMER_KINDS.find((kind) => timer && timer[kind]) || "";
}

function setTimer(element, timer, kind, body, modeling, bpmnFactory) {
  const changes = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
  if (kind) { changes[kind] = bpmnFactory.create("bpmn:FormalExpression", { body: body || "" }); }
  modeling.updateModdleProperties(element, timer, changes);
}

function TimerKind(props) {
  const { element, id } = props;
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const timer = timerOf(getBusinessObject(element));
  return SelectEntry({ element, id, label: t("定时方式", "Timer type"),
    getValue: () => timerKindOf(timer),
    setValue: (kind) => {
      const old = timerKindOf(timer);
      setTimer(element, timer, kind, old ? timer[old].body : "", modeling, bpmnFactory);
    },
    getOptions: () => [{ value: "", label: "—" },
      { value: "timeDate", label: t("到指定时间（timeDate）", "At a date-time (timeDate)") },
      { value: "timeDuration", label: t("等待一段时长（timeDuration）", "After a duration (timeDuration)") },
      { value: "timeCycle", label: t("循环（timeCycle，仅非中断边界事件）", "Cycle (timeCycle, non-interrupting boundary only)") }] });
}

function TimerExpression(props) {
  const { element, id } = props;
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const debounce = useService("debounceInput");
  const timer = timerOf(getBusinessObject(element));
  return TextFieldEntry({ element, id, debounce, label: t("定时表达式（Python）", "Timer expression (Python)"),
    description: t("时长如 \"P3D\"；时间如 end_of_day(temporary_end_date) 或 add_working_days(now(), 5)；文字须加引号",
      "a duration such as \"P3D\"; a time such as end_of_day(temporary_end_date) or add_working_days(now(), 5); quote text"),
    getValue: () => { const kind = timerKindOf(timer); return kind ? (timer[kind].body || "") : ""; },
    // an expression typed before a type is chosen is a date-time: what the shipped procedures' timers are
    setValue: (value) => setTimer(element, timer, timerKindOf(timer) || "timeDate", value, modeling, bpmnFactory) });
}

function timerGroup(element) {
  return { id: "gjy-timer", label: t("定时器", "Timer"), entries: [
    { id: "gjy-timer-kind", element, isEdited: isSelectEntryEdited, component: TimerKind },
    { id: "gjy-timer-expression", element, isEdited: isTextFieldEntryEdited, component: TimerExpression },
  ] };
}

// -- the provider ---------------------------------------------------------------------------------------------------

export default function GjyPropertiesProvider(propertiesPanel, elementRegistry, config) {
  const data = config || {};
  data.elementRegistry = elementRegistry;
  data.fields = () => {
    const seen = new Set();
    Object.keys(data.forms).forEach((k) => data.forms[k].forEach((f) => seen.add(f)));
    (data.decisions || []).forEach((d) => (d.outputs || []).forEach((o) => seen.add(o)));  // a table's result
    return Array.from(seen).sort();
  };
  // The values a field offers ([{value, title, title_en}]), or null for a free field: a decision table's result
  // is not the forms' (deploy does not check it either).
  data.valueChoices = (field) => {
    if ((data.decisions || []).some((d) => (d.outputs || []).includes(field))) { return null; }
    const offered = (data.choices || {})[field];
    return offered && offered.length ? offered : null;
  };
  this.getGroups = function (element) {
    return function (groups) {
      const kept = groups.filter((g) => ["general", "documentation"].includes(g.id));
      const english = englishNameTarget(element);
      const general = kept.find((g) => g.id === "general");
      if (english && general) {
        const after = is(element, "bpmn:Participant") ? "processName" : "name";
        const at = general.entries.findIndex((e) => e.id === after);
        general.entries.splice(at < 0 ? general.entries.length : at + 1, 0, englishNameEntry(element, english));
      }
      if (processOf(element)) { kept.push(processGroup(element, data)); }
      if (is(element, "bpmn:Lane")) { kept.push(laneGroup(element, data)); }
      if (is(element, "bpmn:UserTask")) { kept.push(userTaskGroup(element, data)); }
      if (is(element, "bpmn:ServiceTask")) { kept.push(serviceTaskGroup(element, data)); }
      if (is(element, "bpmn:BusinessRuleTask")) { kept.push(businessRuleTaskGroup(element, data)); }
      if (is(element, "bpmn:SequenceFlow")) { kept.push(flowGroup(element, data)); }
      if (is(element, "bpmn:ScriptTask")) { kept.push(scriptTaskGroup(element)); }
      if (timerOf(getBusinessObject(element))) { kept.push(timerGroup(element)); }
      return kept;
    };
  };
  propertiesPanel.registerProvider(500, this);
}
GjyPropertiesProvider.$inject = ["propertiesPanel", "elementRegistry", "config.gjy"];
