"""The texts the exchange stores in Chinese and the admin's page reads back in its language (errors.recovered): why
a delivery failed (outbox_messages.last_error, a connector's health) and what is wrong with a received message
(the problems of its schema check, inside its stored result). Each is an errors.Message built from one template
below; `readable_error` and `readable_problems` read a stored text back into that Message."""
from __future__ import annotations

from app.errors import Listed, Message, recovered

# Why a delivery failed ({system}: the system's title, translated with the message).
ANSWERED = "{system}回答 HTTP {status}：{body}"
LINK_REFUSED = "{system}拒绝了本系统的凭据或地址（HTTP {status}）：{body}"
NOT_JSON = "{system}回答 HTTP {status}，但内容不是 JSON：{body}"
NO_REFERENCE = "{system}回答 HTTP {status}，但没有回执编号（reference）：{body}"
UNREACHABLE = "无法连接{system}：{reason}"
NOT_CONFIGURED = "未配置 {setting}（或 {alternative}）"
NOT_CONFIGURED_UNSENT = "未配置 {setting}（或 {alternative}），无法发送"
TIMED_OUT = "等待回答超时"
CONNECTION_REFUSED = "连接被拒绝"
DELIVERY_TEMPLATES = (ANSWERED, LINK_REFUSED, NOT_JSON, NO_REFERENCE, UNREACHABLE, NOT_CONFIGURED,
                      NOT_CONFIGURED_UNSENT)
DELIVERY_TERMS = frozenset({"system", "reason"})

# What is wrong with a field of a received message ("field: reason", the field "(报文)" for the whole message).
ROOT = "(报文)"
PROBLEM = "{where}: {reason}"
REQUIRED = "缺少必填字段 {fields}"
NOT_ALLOWED = "不允许的字段 {fields}"
TYPE = "应为{types}"
FORMAT = "“{value}”不是有效的{format}"
NOT_IN_CHOICES = "取值“{value}”不在允许的范围内"
PATTERN = "“{value}”格式不正确"
MIN_LENGTH, MAX_LENGTH = "至少 {limit} 个字符", "最多 {limit} 个字符"
MINIMUM, MAXIMUM = "不能小于 {limit}", "不能大于 {limit}"
MIN_ITEMS, MAX_ITEMS = "至少 {limit} 项", "最多 {limit} 项"
LIMITS = {"minLength": MIN_LENGTH, "maxLength": MAX_LENGTH, "minimum": MINIMUM, "maximum": MAXIMUM,
          "minItems": MIN_ITEMS, "maxItems": MAX_ITEMS}
TYPE_NAMES = {"object": "对象", "array": "数组", "string": "文本", "integer": "整数", "number": "数字",
              "boolean": "布尔值", "null": "空值"}
OR = "或"
FIELDS = "、"  # between the names of fields
FORMAT_NAMES = {"date": "日期（YYYY-MM-DD）", "date-time": "日期时间（如 2026-12-05T08:00:00+08:00）",
                "email": "电子邮箱地址"}
PROBLEM_SEPARATOR = "；"
PROBLEM_TEMPLATES = (REQUIRED, NOT_ALLOWED, TYPE, FORMAT, NOT_IN_CHOICES, PATTERN, *LIMITS.values())


def readable_error(text: str | None) -> str:
    """A stored delivery error as the Message it was built from (the page translates it); else as stored."""
    if not text:
        return ""
    return recovered(text, DELIVERY_TEMPLATES, DELIVERY_TERMS)


def not_configured(text: str | None) -> bool:
    """Whether a delivery failed because the system has no address configured (UnconfiguredConnector)."""
    found = readable_error(text)
    return isinstance(found, Message) and found.template in (NOT_CONFIGURED, NOT_CONFIGURED_UNSENT)


def readable_problems(text: str) -> str:
    """The problems of a schema check as stored ("field: reason；field: reason"), each read back into its Message:
    a list the page shows in its language (a part no template fits: as stored)."""
    return Listed((_problem(part) for part in text.split(PROBLEM_SEPARATOR)), PROBLEM_SEPARATOR)


def _problem(text: str) -> str:
    where, found, reason = text.partition(": ")
    if not found:
        return text
    readable = recovered(reason, PROBLEM_TEMPLATES, {"format"})
    if isinstance(readable, Message) and readable.template == TYPE:
        types = str(readable.values["types"]).split(OR)
        readable = Message(TYPE, types=Listed((Message(name) for name in types), OR))
    elif isinstance(readable, Message) and readable.template in (REQUIRED, NOT_ALLOWED):
        readable = Message(readable.template, fields=Listed(str(readable.values["fields"]).split(FIELDS), FIELDS))
    return Message(PROBLEM, where=Message(where) if where == ROOT else where, reason=readable)
