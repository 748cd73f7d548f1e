// bpmnlint in the modeler: the rules an analyst meets before the server's deploy checks, with our own on top
// (a user task needs a form and a lane, a service task a handler, a business rule task a decision table);
// messages in the page's language.
import conditionalFlows from "bpmnlint/rules/conditional-flows";
import noDisconnected from "bpmnlint/rules/no-disconnected";
import startEventRequired from "bpmnlint/rules/start-event-required";
import endEventRequired from "bpmnlint/rules/end-event-required";
import noDuplicateSequenceFlows from "bpmnlint/rules/no-duplicate-sequence-flows";
import noImplicitSplit from "bpmnlint/rules/no-implicit-split";
import noComplexGateway from "bpmnlint/rules/no-complex-gateway";
import labelRequired from "bpmnlint/rules/label-required";
import { is } from "bpmnlint-utils";
import { t } from "./i18n";

function propertyValue(node, name) {
  const values = (node.extensionElements && node.extensionElements.values) || [];
  for (const v of values) {
    if (v.$type === "spiffworkflow:Properties") {
      const found = (v.values || []).find((p) => p.name === name);
      if (found) { return found.value || ""; }
    }
  }
  return "";
}

function userTaskForm() {
  return { check(node, reporter) {
    if (is(node, "bpmn:UserTask") && !propertyValue(node, "formKey")) {
      reporter.report(node.id, "User task has no form");
    }
  } };
}

function serviceTaskHandler() {
  return { check(node, reporter) {
    if (!is(node, "bpmn:ServiceTask")) { return; }
    const values = (node.extensionElements && node.extensionElements.values) || [];
    if (!values.some((v) => v.$type === "spiffworkflow:ServiceTaskOperator" && v.id)) {
      reporter.report(node.id, "Service task has no handler");
    }
  } };
}

function businessRuleTaskDecision() {
  return { check(node, reporter) {
    if (!is(node, "bpmn:BusinessRuleTask")) { return; }
    const values = (node.extensionElements && node.extensionElements.values) || [];
    if (!values.some((v) => v.$type === "spiffworkflow:CalledDecisionId" && (v.value || "").trim())) {
      reporter.report(node.id, "Business rule task has no decision table");
    }
  } };
}

function untypedTask() {
  return { check(node, reporter) {
    if (node.$type === "bpmn:Task") { reporter.report(node.id, "Untyped task"); }
  } };
}

const RULES = {
  "conditional-flows": conditionalFlows, "no-disconnected": noDisconnected,
  "start-event-required": startEventRequired, "end-event-required": endEventRequired,
  "no-duplicate-sequence-flows": noDuplicateSequenceFlows, "no-implicit-split": noImplicitSplit,
  "no-complex-gateway": noComplexGateway, "label-required": labelRequired,
  "user-task-form": userTaskForm, "service-task-handler": serviceTaskHandler, "untyped-task": untypedTask,
  "business-rule-task-decision": businessRuleTaskDecision,
};

const LEVELS = {
  "conditional-flows": "error", "no-disconnected": "error", "start-event-required": "error",
  "end-event-required": "error", "no-duplicate-sequence-flows": "error", "no-implicit-split": "error",
  "no-complex-gateway": "error", "label-required": "warn",
  "gjy/user-task-form": "error", "gjy/service-task-handler": "error", "gjy/untyped-task": "error",
  "gjy/business-rule-task-decision": "error",
};

const cache = {};
Object.keys(RULES).forEach((name) => {
  const pkg = ["user-task-form", "service-task-handler", "untyped-task", "business-rule-task-decision"].includes(name) ? "bpmnlint-plugin-gjy" : "bpmnlint";
  cache["rule:" + pkg + "/" + name] = RULES[name];
});

export const bpmnlintConfig = {
  config: { rules: LEVELS },
  resolver: {
    resolveRule(pkg, name) {
      const found = cache["rule:" + pkg + "/" + name];
      if (!found) { throw new Error("unknown rule <" + pkg + "/" + name + ">"); }
      return found;
    },
    resolveConfig(pkg, name) { throw new Error("unknown config <" + pkg + "/" + name + ">"); },
  },
};

const MESSAGES = {
  "conditional-flows": () => t("网关的出口流转缺少条件（或设为默认路径）", "A gateway's outgoing flow has no condition (or make it the default)"),
  "no-disconnected": () => t("元素没有连接到流程中", "Element is not connected"),
  "start-event-required": () => t("流程缺少开始事件", "Process has no start event"),
  "end-event-required": () => t("流程缺少结束事件", "Process has no end event"),
  "no-duplicate-sequence-flows": () => t("重复的流转", "Duplicate sequence flow"),
  "no-implicit-split": () => t("一个步骤有多条出口流转：请用网关分支", "Several outgoing flows: use a gateway"),
  "no-complex-gateway": () => t("不支持复杂网关", "Complex gateways are not supported"),
  "label-required": () => t("元素缺少名称", "Element has no name"),
  "gjy/user-task-form": () => t("办理步骤没有选择表单", "User task has no form"),
  "gjy/service-task-handler": () => t("自动处理步骤没有选择处理程序", "Service task has no handler"),
  "gjy/business-rule-task-decision": () => t("业务规则任务没有选择决策表", "Business rule task has no decision table"),
  "gjy/untyped-task": () => t("未指定类型的任务：请选择办理步骤、自动处理或脚本", "Untyped task: choose user, service or script task"),
};

export function lintMessage(issue) {
  const rule = (issue.rule || "").replace("bpmnlint-plugin-gjy/", "gjy/");
  return MESSAGES[rule] ? MESSAGES[rule]() : issue.message;
}
