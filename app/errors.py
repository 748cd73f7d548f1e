"""Domain errors with stable codes and Chinese messages; api/ and web/ turn them into responses."""
from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from functools import lru_cache
from string import Formatter
from typing import Any, Self

# What a refused HTTP request (no route, wrong method, bad body ...) says, as (code, message).
HTTP_STATUS_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求格式有误"),
    401: ("not_authenticated", "请先登录"),
    403: ("not_allowed", "您无权执行此操作"),
    404: ("not_found", "未找到请求的页面或资源"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "数据已被他人修改，请刷新后重试"),
    413: ("payload_too_large", "上传内容过大：一次提交的附件合计超过上限，请分次上传或压缩后重试"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("invalid_request", "请求参数有误"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
    500: ("internal_error", "服务器内部错误，请稍后重试"),
    503: ("service_unavailable", "服务暂时不可用，请稍后重试"),
}


def http_status_message(status: int) -> tuple[str, str]:
    return HTTP_STATUS_MESSAGES.get(status, ("http_error", "请求无法完成"))


class Message(str):
    """A Chinese message built from a template and values: it is the Chinese text everywhere a string
    goes (API, logs), and keeps the template so a page can show it in the reader's language."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Self:
        text = super().__new__(cls, template.format(**values) if values else template)
        text.template, text.values = template, values
        return text

    def translated(self, translate: Callable[[str], str]) -> str:
        """This message in another language: its template through `translate`, filled with its values (those
        that are messages themselves translated too)."""
        values = {k: v.translated(translate) if isinstance(v, Message) else v for k, v in self.values.items()}
        text = translate(self.template)
        return text.format(**values) if values else text


def recovered(text: str, templates: Iterable[str], terms: Collection[str] = ()) -> str:
    """A text stored as the Chinese of a Message (where only the text could be kept: a column the API answers as
    it is) read back into that Message by the templates it may have been built from, for a page to show it in the
    reader's language. The values named in `terms` are product terms (translated with the message), the others
    names and numbers (kept). The text itself when no template matches; the most specific template wins."""
    for template, pattern in _patterns(tuple(templates)):
        found = pattern.fullmatch(text)
        if found:
            values = found.groupdict()
            return Message(template, **{k: Message(v) if k in terms else v for k, v in values.items()})
    return text


@lru_cache(maxsize=64)
def _patterns(templates: tuple[str, ...]) -> list[tuple[str, re.Pattern[str]]]:
    """Each template as a pattern whose groups are its placeholders, the longest fixed text first."""
    def parts(template: str) -> list[tuple[str, str | None]]:
        return [(literal, name) for literal, name, _spec, _conv in Formatter().parse(template)]

    def pattern(template: str) -> re.Pattern[str]:
        seen: set[str] = set()
        pieces = []
        for literal, name in parts(template):
            pieces.append(re.escape(literal))
            if name is not None:
                pieces.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
                seen.add(name)
        return re.compile("".join(pieces), re.DOTALL)
    fixed = {t: sum(len(literal) for literal, _name in parts(t)) for t in templates}
    return [(t, pattern(t)) for t in sorted(templates, key=lambda t: -fixed[t])]


class Listed(Message):
    """Texts named in one message as a list: joined by `separator` ("、", or "；" between reasons) in Chinese, by
    the separator's translation (", ", "; ") with each text translated on the English pages."""

    items: tuple[str, ...]
    separator: str

    def __new__(cls, items: Iterable[str], separator: str = "、") -> Listed:
        kept = tuple(items)
        text = super().__new__(cls, separator.join(kept))
        text.items, text.separator = kept, separator
        return text

    def translated(self, translate: Callable[[str], str]) -> str:
        return translate(self.separator).join(
            item.translated(translate) if isinstance(item, Message) else translate(item) for item in self.items)


class Bilingual(str):
    """A text a procedure carries in both languages (a form's label, a step's name): the Chinese text
    everywhere a string goes, with its English (`en`, "" when it has none) for the English pages."""

    en: str

    def __new__(cls, text: str, en: str | None = None) -> Bilingual:
        one = super().__new__(cls, text)
        one.en = en or ""
        return one


ENGLISH_SUFFIX = "_en"  # a form's `title_en` beside `title`, `x-messages_en` beside `x-messages`


def bilingual_of(node: Any, key: str, default: str | None = None) -> Bilingual | None:
    """`node[key]` with the English its sibling `<key>_en` carries (None when there is neither)."""
    text = node.get(key) if isinstance(node, dict) else None
    if not text:
        return Bilingual(default) if default is not None else None
    english = node.get(key + ENGLISH_SUFFIX)
    return Bilingual(str(text), english if isinstance(english, str) else None)


def custom_message(spec: Any, keyword: str) -> Bilingual | None:
    """A form field's own message for a failed keyword ("x-messages"), with its English ("x-messages_en")."""
    messages = spec.get("x-messages") if isinstance(spec, dict) else None
    custom = messages.get(keyword) if isinstance(messages, dict) else None
    if not custom:
        return None
    english = spec.get("x-messages" + ENGLISH_SUFFIX)
    found = english.get(keyword) if isinstance(english, dict) else None
    return Bilingual(str(custom), found if isinstance(found, str) else None)


class DomainError(Exception):
    """A refusal the user can understand: stable code, Chinese message, HTTP status, details.

    A message that names data (a person, a case number, a version) is a Message: its Chinese template is the
    catalogue's message id, e.g. `RuleViolation(Message("{person}已注销，无需再次办理", person=name))`. It is the
    Chinese text wherever a string goes (the API's `message`, logs); the API's `message_en` and the English
    pages translate its template and fill in the same values."""

    status = 400
    code = "bad_request"
    message = "请求无效"

    # What must be written although the action is refused and rolled back (app.db.unit_of_work runs it
    # in a transaction of its own): e.g. the 异常 of a case whose saved state does not load.
    after_rollback: Callable[[], None] | None = None

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 details: dict[str, Any] | None = None) -> None:
        self.message = message or self.message
        if code:
            self.code = code
        self.details = details or {}
        super().__init__(self.message)


class NotAuthenticated(DomainError):
    status, code, message = 401, "not_authenticated", "请先登录"


class NotAllowed(DomainError):
    status, code, message = 403, "not_allowed", "您无权执行此操作"


class NotFound(DomainError):
    status, code, message = 404, "not_found", "未找到该对象"


class CaseNotFound(NotFound):
    code, message = "case_not_found", "未找到该办件"


class DocumentNotFound(NotFound):
    code, message = "document_not_found", "未找到该文书"


class TaskNotFound(NotFound):
    code, message = "task_not_found", "未找到该待办任务"


class Conflict(DomainError):
    status, code, message = 409, "conflict", "数据已被他人修改，请刷新后重试"


class StaleCase(Conflict):
    code, message = "case_changed", "该办件已被他人处理，请刷新后重试"


class BaseVersionChanged(Conflict):
    """A draft made from a version that is no longer current: deploying it would undo what was deployed since."""

    code, message = "base_version_changed", "草稿所基于的版本已不是当前版本，请比较后再部署"


class TaskAlreadyClaimed(Conflict):
    code, message = "task_already_claimed", "该任务已被他人领取"


class TaskNotOpen(Conflict):
    code, message = "task_not_open", "该任务已办结或已取消"


class DatabaseUnavailable(DomainError):
    """The database did not answer (connection lost, timeout, database locked or full): nothing was saved."""

    status, code, message = 503, "database_unavailable", "数据库暂时不可用，您的操作未保存，请稍后重试"


class InvalidForm(DomainError):
    status, code, message = 422, "invalid_form", "表单填写有误，请按提示修改"

    def __init__(self, field_errors: dict[str, str], message: str | None = None) -> None:
        super().__init__(message, details={"fields": field_errors})
        self.field_errors = field_errors


class RuleViolation(DomainError):
    """A business rule of the notice refuses the action (wrong level, locked person, ...)."""

    status, code, message = 422, "rule_violation", "不符合办理条件"


def _message(text: str | None) -> Message:
    """A text as a message (translated by its own text when it is not one already)."""
    return text if isinstance(text, Message) else Message(str(text))


def _where(problem: dict[str, str | None]) -> str:
    """A deploy problem's place: "file#element", or the file alone."""
    element = problem.get("element")
    return f"{problem.get('file')}{'#' + str(element) if element else ''}"


class DeployError(DomainError):
    """A procedure bundle failed validation; details name file, element and problem."""

    status, code, message = 422, "deploy_refused", "流程部署被拒绝"

    def __init__(self, problems: list[dict[str, str | None]]) -> None:
        lines = Listed((Message("{where}: {problem}", where=_where(p), problem=_message(p.get("problem")))
                        for p in problems), separator="; ")
        super().__init__(Message("流程部署被拒绝: {problems}", problems=lines), details={"problems": problems})
        self.problems = problems


class MigrationRefused(DomainError):
    """A case cannot move to another version of its procedure; details.reasons say why (it stays untouched)."""

    status, code, message = 422, "migration_refused", "办件不能迁移到该版本"

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(Message("办件不能迁移到该版本：{reasons}", reasons=Listed(reasons, separator="；")),
                         details={"reasons": reasons})
        self.reasons = reasons


class UploadRefused(DomainError):
    status, code, message = 422, "upload_refused", "附件不符合要求"


class EngineError(Exception):
    """A technical failure inside the workflow engine (script, service task, timer)."""

    def __init__(self, message: str, *, step: str | None = None) -> None:
        super().__init__(message)
        self.step = step
