"""One error shape for the API: {code, message, message_en, details} with the right HTTP status.

Parameters refused by the schemas (webargs/marshmallow, 422 `invalid_request`) keep marshmallow's
structure in `details.fields` (a list of messages per field; query parameters under "query"; see
schemas.common.ERROR_DETAILS) with its English messages in Chinese. A refused deploy's problems carry their English
(`problem_en`) beside the Chinese; refused fields (of the parameters or of a submitted form) theirs in
`details.fields_en`, the same tree in English.
"""
from __future__ import annotations

import re
from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from app.api.english import english
from app.errors import Bilingual, DomainError, Listed, Message, http_status_message


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """`message` in Chinese, the API's language, and `message_en`: its English from the pages' catalogue (a
    message built with names, errors.Message, by its template with the same names filled in), None where the
    catalogue has none."""
    return {"code": code, "message": message, "message_en": _english_or_none(message), "details": details or {}}


def _english_or_none(message: str) -> str | None:
    translated = english(message)
    return None if not translated or translated == message else translated


def domain_error_response(exc: DomainError) -> ResponseReturnValue:
    return jsonify(error_body(exc.code, exc.message, _with_english(exc.details))), exc.status


def _with_english(details: dict[str, Any] | None) -> dict[str, Any] | None:
    """A refused deploy's `details.problems` [{file, element, problem}], each with its English (`problem_en`); a
    refused form's `details.fields` with their English beside them (`fields_en`)."""
    fields = (details or {}).get("fields")
    if isinstance(fields, dict) and "fields_en" not in (details or {}):
        details = {**(details or {}), "fields_en": english_messages(fields)}
    problems = (details or {}).get("problems")
    if not isinstance(problems, list) or not all(isinstance(p, dict) for p in problems):
        return details
    return {**(details or {}), "problems": [{**p, "problem_en": english(p.get("problem"))} for p in problems]}


_TYPE_NAMES = {"integer": "整数", "number": "数字", "string": "文本", "boolean": "是/否", "date": "日期（YYYY-MM-DD）",
               "datetime": "日期时间", "time": "时间", "list": "列表", "tuple": "列表", "mapping type": "对象",
               "email address": "电子邮箱", "URL": "网址", "UUID": "UUID"}
# The Chinese of marshmallow's messages that name values are errors.Message templates (catalogued message ids, as
# the forms' own), so that their English is found whatever the values.
_RANGE_WORDS = {"greater than or equal to": "不能小于 {limit}", "greater than": "应大于 {limit}",
                "less than or equal to": "不能大于 {limit}", "less than": "应小于 {limit}"}
_RANGE_PART = r"(greater than or equal to|greater than|less than or equal to|less than) (\S+?)"


def _range(*parts: str) -> Message:
    if parts[::2] == ("greater than or equal to", "less than or equal to"):
        return Message("应在 {first} 至 {last} 之间", first=parts[1], last=parts[3])
    return Listed((Message(_RANGE_WORDS[parts[i]], limit=parts[i + 1]) for i in range(0, len(parts), 2)),
                  separator="，")


def _type(name: str) -> Message:
    known = _TYPE_NAMES.get(name)
    return Message("格式不正确，应为{kind}", kind=Message(known) if known else name)


# marshmallow's (and webargs') default messages, as patterns, and their Chinese.
_MESSAGES: list[tuple[re.Pattern[str], Any]] = [(re.compile(f"^{pattern}$"), chinese) for pattern, chinese in [
    (r"Missing data for required field\.", "此项为必填项"),
    (r"Unknown field\.", "不支持该字段"),
    (r"Field may not be null\.", "此项不能为空"),
    (r"Invalid input type\.", "数据类型不正确，应为 JSON 对象"),
    (r"Invalid JSON body\.", "请求正文不是有效的 JSON"),
    (r"Number too large\.", "数值过大"),
    (r"Special numeric values \(nan or infinity\) are not permitted\.", "不能为 NaN 或无穷大"),
    (r"Not a valid (?:(?:aware|naive) )?(.+?)\.", lambda m: _type(m[1])),
    (r"Must be one of: (.*)\.", lambda m: Message("应为以下之一：{choices}", choices=m[1])),
    (r"One or more of the choices you made was not in: (.*)\.", lambda m: Message("只能选择：{choices}", choices=m[1])),
    (r"Shorter than minimum length (\d+)\.", lambda m: Message("至少填写 {limit} 个字符", limit=m[1])),
    (r"Longer than maximum length (\d+)\.", lambda m: Message("最多填写 {limit} 个字符", limit=m[1])),
    (r"Length must be between (\d+) and (\d+)\.",
     lambda m: Message("应填写 {first} 至 {last} 个字符", first=m[1], last=m[2])),
    (r"Length must be (\d+)\.", lambda m: Message("应为 {limit} 个字符", limit=m[1])),
    (rf"Must be {_RANGE_PART} and {_RANGE_PART}\.", lambda m: _range(m[1], m[2], m[3], m[4])),
    (rf"Must be {_RANGE_PART}\.", lambda m: _range(m[1], m[2])),
    (r"String does not match expected pattern\.", "格式不正确"),
    (r"Must be equal to (.*)\.", lambda m: Message("应为 {value}", value=m[1])),
]]
_FALLBACK = "填写有误"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese_message(message: str) -> str:
    """A marshmallow message in Chinese; one already in Chinese (a schema's own) is kept."""
    if _CJK.search(message):
        return message
    for pattern, chinese in _MESSAGES:
        match = pattern.match(message)
        if match:
            return chinese(match) if callable(chinese) else str(chinese)
    return _FALLBACK


def chinese_messages(messages: Any) -> Any:
    """marshmallow's error tree (dicts of lists of messages) with Chinese messages and string keys."""
    if isinstance(messages, dict):
        return {str(key): chinese_messages(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [chinese_messages(item) for item in messages]
    return chinese_message(str(messages))


def english_messages(messages: Any) -> Any:
    """A tree of field messages (dicts of lists, or of messages) in English: each message by its template
    (errors.Message) or as it is catalogued, a procedure's own message by the English it carries; the Chinese text
    where neither has English."""
    if isinstance(messages, dict):
        return {key: english_messages(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [english_messages(item) for item in messages]
    if isinstance(messages, Bilingual):
        return messages.en or english(messages)
    return english(messages) if isinstance(messages, str) else messages


def http_error_response(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    code, message = http_status_message(status)
    details: dict[str, Any] = {}
    data = getattr(exc, "data", None) or {}
    if status == 422 and "messages" in data:  # webargs/marshmallow request validation
        messages = data["messages"]
        fields = messages.get("json", messages) if isinstance(messages, dict) else messages
        chinese = chinese_messages(fields)
        details = {"fields": chinese, "fields_en": english_messages(chinese)}
    return jsonify(error_body(code, message, details)), status
