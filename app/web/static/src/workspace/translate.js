// bpmn-js and its properties panel in the page's language: Chinese for what an analyst meets most (palette,
// context pad, replace menu, the general properties); anything not listed stays as the library says it.
import { t } from "./i18n";

const ZH = {
  "Activate create/remove space tool": "插入/删除空间", "Activate global connect tool": "连接工具",
  "Activate hand tool": "抓手（移动画布）", "Activate lasso tool": "框选",
  "Add lane above": "在上方添加泳道", "Add lane below": "在下方添加泳道", "Add text annotation": "添加注释",
  "Append end event": "接续结束事件", "Append gateway": "接续网关", "Append intermediate/boundary event": "接续中间事件",
  "Append task": "接续任务", "Change element": "更改类型", "Connect to other element": "连接到其他元素",
  "Create data object reference": "创建数据对象", "Create data store reference": "创建数据存储",
  "Create end event": "创建结束事件", "Create expanded sub-process": "创建子流程", "Create gateway": "创建网关",
  "Create group": "创建分组", "Create intermediate/boundary event": "创建中间事件",
  "Create pool/participant": "创建泳池", "Create start event": "创建开始事件", "Create task": "创建任务",
  "Delete": "删除", "Divide into three lanes": "分为三条泳道", "Divide into two lanes": "分为两条泳道",
  "Documentation": "说明", "Element documentation": "元素说明", "Process documentation": "流程说明",
  "Executable": "可执行", "General": "基本", "ID": "ID", "Name": "名称", "Participant Name": "泳池名称",
  "Process ID": "流程 ID（事项编码）", "Process name": "流程名称", "Version tag": "版本标签",
  "Task": "任务", "User task": "办理步骤（用户任务）", "Service task": "自动处理（服务任务）",
  "Script task": "脚本任务", "Business rule task": "业务规则任务（决策表）", "Exclusive gateway": "排他网关", "Parallel gateway": "并行网关",
  "Inclusive gateway": "包容网关", "Start event": "开始事件", "End event": "结束事件",
  "Intermediate timer catch event": "定时中间事件", "Sub-process (collapsed)": "子流程（折叠）",
  "Sub-process (expanded)": "子流程（展开）", "Call activity": "调用活动",
  "ID must be unique.": "ID 不能重复。", "ID must not be empty.": "ID 不能为空。",
  "ID must not contain spaces.": "ID 不能包含空格。", "ID must be a valid QName.": "ID 须为合法名称。",
  "No Issues": "没有问题", "{errors} Errors, {warnings} Warnings": "{errors} 个错误，{warnings} 个警告",
  "Toggle linting overlays": "显示/隐藏检查标记", "Issues for child elements": "子元素的问题",
};

// The replace menu (更改类型) and the properties panel's header, which names the element's type from its BPMN type
// ("User Task", "Timer Intermediate Catch Event": words split at capitals).
const ZH_ELEMENTS = {
  "Ad-hoc sub-process": "自由子流程", "Ad-hoc sub-process (collapsed)": "自由子流程（折叠）",
  "Ad-hoc sub-process (expanded)": "自由子流程（展开）", "Boundary event": "边界事件",
  "Cancel boundary event": "取消边界事件", "Cancel end event": "取消结束事件",
  "Compensation boundary event": "补偿边界事件", "Compensation end event": "补偿结束事件",
  "Compensation intermediate throw event": "补偿中间抛出事件", "Compensation start event": "补偿开始事件",
  "Complex gateway": "复杂网关", "Conditional boundary event": "条件边界事件",
  "Conditional boundary event (non-interrupting)": "条件边界事件（不中断）", "Conditional flow": "条件连线",
  "Conditional intermediate catch event": "条件中间事件", "Conditional start event": "条件开始事件",
  "Conditional start event (non-interrupting)": "条件开始事件（不中断）", "Data object reference": "数据对象",
  "Data store reference": "数据存储", "Default flow": "默认连线", "Empty pool/participant": "空泳池",
  "Error boundary event": "错误边界事件", "Error end event": "错误结束事件", "Error start event": "错误开始事件",
  "Escalation boundary event": "升级边界事件", "Escalation boundary event (non-interrupting)": "升级边界事件（不中断）",
  "Escalation end event": "升级结束事件", "Escalation intermediate throw event": "升级中间抛出事件",
  "Escalation start event": "升级开始事件", "Escalation start event (non-interrupting)": "升级开始事件（不中断）",
  "Event based instantiating Gateway": "事件网关（启动流程）",
  "Parallel Event based instantiating Gateway": "并行事件网关（启动流程）", "Event sub-process": "事件子流程",
  "Event-based gateway": "事件网关", "Expanded pool/participant": "展开的泳池", "Intermediate throw event": "中间抛出事件",
  "Link intermediate catch event": "链接中间捕获事件", "Link intermediate throw event": "链接中间抛出事件",
  "Manual task": "人工任务（不由系统办理）", "Message boundary event": "消息边界事件",
  "Message boundary event (non-interrupting)": "消息边界事件（不中断）", "Message end event": "消息结束事件",
  "Message intermediate catch event": "消息中间捕获事件", "Message intermediate throw event": "消息中间抛出事件",
  "Message start event": "消息开始事件", "Message start event (non-interrupting)": "消息开始事件（不中断）",
  "Receive task": "接收任务", "Send task": "发送任务", "Sequence flow": "连线", "Signal boundary event": "信号边界事件",
  "Signal boundary event (non-interrupting)": "信号边界事件（不中断）", "Signal end event": "信号结束事件",
  "Signal intermediate catch event": "信号中间捕获事件", "Signal intermediate throw event": "信号中间抛出事件",
  "Signal start event": "信号开始事件", "Signal start event (non-interrupting)": "信号开始事件（不中断）",
  "Sub-process": "子流程", "Terminate end event": "终止结束事件", "Timer boundary event": "定时边界事件",
  "Timer boundary event (non-interrupting)": "定时边界事件（不中断）", "Timer intermediate catch event": "定时中间事件",
  "Timer start event": "定时开始事件", "Timer start event (non-interrupting)": "定时开始事件（不中断）",
  "Transaction": "事务子流程", "Participant ID": "泳池 ID",
  // the panel header
  "User Task": "用户任务（办理步骤）", "Service Task": "服务任务（自动处理）", "Script Task": "脚本任务",
  "Business Rule Task": "业务规则任务（决策表）", "Manual Task": "人工任务", "Send Task": "发送任务",
  "Receive Task": "接收任务", "Call Activity": "调用活动", "Sequence Flow": "连线", "Conditional Flow": "条件连线",
  "Default Flow": "默认连线", "Exclusive Gateway": "排他网关", "Parallel Gateway": "并行网关",
  "Inclusive Gateway": "包容网关", "Event Based Gateway": "事件网关", "Complex Gateway": "复杂网关",
  "Start Event": "开始事件", "End Event": "结束事件", "Timer Start Event": "定时开始事件",
  "Message Start Event": "消息开始事件", "Intermediate Throw Event": "中间抛出事件",
  "Timer Intermediate Catch Event": "定时中间事件", "Message Intermediate Catch Event": "消息中间捕获事件",
  "Message Intermediate Throw Event": "消息中间抛出事件", "Timer Boundary Event": "定时边界事件",
  "Timer Boundary Event (Non Interrupting)": "定时边界事件（不中断）", "Message Boundary Event": "消息边界事件",
  "Error Boundary Event": "错误边界事件", "Error End Event": "错误结束事件", "Message End Event": "消息结束事件",
  "Terminate End Event": "终止结束事件", "Collapsed Sub Process": "子流程（折叠）",
  "Expanded Sub Process": "子流程（展开）", "Event Sub Process": "事件子流程", "Participant": "泳池（参与者）",
  "Lane": "泳道", "Collaboration": "协作图", "Process": "流程", "Text Annotation": "注释", "Group": "分组",
  "Data Object Reference": "数据对象", "Data Store Reference": "数据存储",
};

// dmn-js's decision table editor (the decision table editor of a draft).
const ZH_DECISIONS = {
  "Add input": "添加输入列", "Add output": "添加输出列", "Add rule": "添加规则", "Add rule above": "在上方添加规则",
  "Add rule below": "在下方添加规则", "Add input column left": "在左侧添加输入列", "Add input column right": "在右侧添加输入列",
  "Add output column left": "在左侧添加输出列", "Add output column right": "在右侧添加输出列",
  "Remove rule": "删除规则", "Remove input column": "删除输入列", "Remove output column": "删除输出列",
  "Copy rule": "复制规则", "Cut rule": "剪切规则", "Paste rule above": "在上方粘贴规则", "Paste rule below": "在下方粘贴规则",
  "Copy input column": "复制输入列", "Cut input column": "剪切输入列", "Paste input column left": "在左侧粘贴输入列",
  "Paste input column right": "在右侧粘贴输入列", "Copy output column": "复制输出列", "Cut output column": "剪切输出列",
  "Paste output column left": "在左侧粘贴输出列", "Paste output column right": "在右侧粘贴输出列",
  "Add cell description": "添加单元格说明", "Remove cell description": "删除单元格说明", "Move rule": "移动规则",
  "Annotation": "说明", "Annotations": "说明", "Decision name": "决策名称", "Decision name: ": "决策名称：",
  "Hit policy": "命中策略", "Hit policy:": "命中策略：", "Input": "输入", "Output": "输出", "When": "当", "Then": "则",
  "And": "且", "Input label": "输入列标题", "Input label: ": "输入列标题：", "Input expression": "输入表达式",
  "Input expression: ": "输入表达式：", "Expression": "表达式", "Enter expression": "输入表达式（如 amount）",
  "Output label": "输出列标题", "Output label: ": "输出列标题：", "Output name": "输出名称（变量名）",
  "Output name: ": "输出名称：", "Edit input": "编辑输入列", "Edit output": "编辑输出列", "Edit": "编辑",
  "Input type": "输入类型", "Output type": "输出类型", "Type": "类型", "Input values": "输入取值",
  "Output values": "输出取值", "Predefined values": "预设取值", "Add predefined values": "添加预设取值",
  "Clear predefined values": "清除预设取值", "Add values": "添加取值", "No values": "无取值", "Values": "取值",
  "Value": "值", "Expression language": "表达式语言", "Change cell expression language": "更改单元格表达式语言",
  "Editing not supported for set expression language": "此表达式语言不支持编辑", "View DRD": "查看决策需求图",
  "Edit string": "编辑文字", "Edit number": "编辑数值", "Edit boolean": "编辑布尔值", "String value": "文字值",
  "Strings must be in double quotes": "文字须加双引号", "Yes": "是", "No": "否", "Resize": "调整宽度",
  "Match one": "等于其中之一", "Match none": "不等于任何一个", "Custom values": "自定义取值",
  "Comparison": "比较", "Range": "范围", "Equals": "等于", "Less": "小于", "Less or equals": "小于等于",
  "Greater": "大于", "Greater or equals": "大于等于", "Boolean value": "布尔值", "Test type": "判断方式",
};

// The hit policies the engine runs are UNIQUE (the first matching rule) and COLLECT (a list of every match); the
// others are offered by dmn-js but refused at deploy, so their names say so.
const UNSUPPORTED_HIT_POLICIES = ["First", "Priority", "Any", "Collect (Sum)", "Collect (Min)", "Collect (Max)",
  "Collect (Count)", "Rule order", "Output order"];
const ZH_HIT_POLICIES = { "Unique": "唯一（UNIQUE，第一条匹配的规则）", "Collect": "收集（COLLECT，所有匹配规则的输出）" };
const EN_HIT_POLICIES = { "Unique": "Unique (the first matching rule)", "Collect": "Collect (every matching rule's outputs)" };
UNSUPPORTED_HIT_POLICIES.forEach((name) => {
  ZH_HIT_POLICIES[name] = name + "（不支持）";
  EN_HIT_POLICIES[name] = name + " (not supported)";
});

function translateFrom(dictionary, english) {
  return function translate(template, replacements) {
    const text = t(dictionary[template] || template, (english && english[template]) || template);
    return text.replace(/{([^}]+)}/g, (_, key) => (replacements && key in replacements ? replacements[key] : "{" + key + "}"));
  };
}

export const translateDecisions = translateFrom({ ...ZH, ...ZH_ELEMENTS, ...ZH_DECISIONS, ...ZH_HIT_POLICIES },
  EN_HIT_POLICIES);

export default translateFrom({ ...ZH, ...ZH_ELEMENTS });
