"""The library's refusals at deploy, in Chinese: the known messages of SpiffWorkflow's parsers translated (the
original kept in brackets for a search in its documentation), any other one prefixed in Chinese."""
from __future__ import annotations

import re

from app.errors import Message

_KNOWN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Data Store with name (?P<name>.+?) has no implementation\.?$"),
     "数据存储“{name}”没有实现：本系统不支持 BPMN 数据存储 (dataStore)，请删除它及其引用，改用表单字段或流程变量"),
    (re.compile(r"Data Store (identifier|name) is missing from bpmn xml"), "数据存储 (dataStore) 缺少 id 或名称"),
    (re.compile(r"No start event found"), "流程没有开始事件"),
    (re.compile(r"A Service Task must have an operator"), "服务任务没有选择处理程序 (serviceTaskOperator)"),
    (re.compile(r"Process (?P<name>.+) is not executable\.?"),
     "流程“{name}”不可执行：请设置 isExecutable=\"true\""),
    (re.compile(r"Duplicate process ID: (?P<name>.+)"), "流程 id 重复：{name}"),
    (re.compile(r"There is no support implemented for this task type\.?"), "不支持此类型的元素"),
    (re.compile(r"No decisions found"), "决策表文件中没有决策 (decision)"),
    (re.compile(r"Multiple decision tables are not current supported\.?"), "一个决策 (decision) 只能有一张决策表"),
    (re.compile(r"No DMN Diagram available with id \"(?P<name>[^\"]*)\""),
     "业务规则任务引用的决策表 “{name}” 不存在：请一并提交定义它的 bpmn/*.dmn 文件"),
    (re.compile(r"A SubWorkflow Must contain an End event"), "子流程必须包含结束事件"),
    (re.compile(r"Unknown Time Specification"), "无法识别的定时器设置：须为 timeDate、timeDuration 或 timeCycle"),
    (re.compile(r"The process '(?P<name>[^']*)' was not found"), "调用的流程 “{name}” 不存在"),
    (re.compile(r"Signal identifier is missing"), "信号 (signal) 缺少 id"),
    (re.compile(r"Error identifier is missing"), "错误 (error) 缺少 id"),
    (re.compile(r"Escalation identifier is missing"), "升级 (escalation) 缺少 id"),
    (re.compile(r"Cannot resolve (?P<kind>dataInputAssociation|dataOutputAssociation) (?P<name>.+)"),
     "数据关联 {kind} 指向的 “{name}” 不存在"),
]


def translate(message: str) -> tuple[Message, str | None]:
    """(Chinese text, the name the message is about or None)."""
    for pattern, chinese in _KNOWN:
        found = pattern.search(message)
        if found:
            groups = found.groupdict()
            text = Message("{text}（{original}）", text=Message(chinese, **groups), original=message)
            return text, groups.get("name")
    return Message("SpiffWorkflow 拒绝了此流程图（英文原文）：{original}", original=message), None
