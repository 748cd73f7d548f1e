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
  "Script task": "脚本任务", "Exclusive gateway": "排他网关", "Parallel gateway": "并行网关",
  "Inclusive gateway": "包容网关", "Start event": "开始事件", "End event": "结束事件",
  "Intermediate timer catch event": "定时中间事件", "Sub-process (collapsed)": "子流程（折叠）",
  "Sub-process (expanded)": "子流程（展开）", "Call activity": "调用活动",
  "ID must be unique.": "ID 不能重复。", "ID must not be empty.": "ID 不能为空。",
  "ID must not contain spaces.": "ID 不能包含空格。", "ID must be a valid QName.": "ID 须为合法名称。",
};

export default function translate(template, replacements) {
  const text = t(ZH[template] || template, template);
  return text.replace(/{([^}]+)}/g, (_, key) => (replacements && key in replacements ? replacements[key] : "{" + key + "}"));
}
