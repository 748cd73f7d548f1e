"""The applicant is told of each decision on his case: 退回补正 (with the one-time list of what to supply and
by when, 一次性告知), a refusal (不予同意 / 不予注销 / 不予修改 ...) with its grounds, and 办结.

An approval after which the case still waits for another system (a B→A upgrade the province confirmed waits for the
national platform's acknowledgement of the reported level, which may be refused and end as a dead letter) is told
as the decision it is (【审核决定】, kind DECIDED), not as 办结: the notice 桂建管〔2021〕4号 has the province confirm
and then report the change, and the case completes only with that report's acknowledgement. A case decided and
waiting only for its own date (a temporary unlock until its end date) is told 办结 at the decision, as before.

Who: the active users of the applicant organisation (the enterprise's operators, or the individual who
filed), with a link to the task to act on or to the case; and the individuals the case is about (the
person of a lock, the person deregistered) who have an account of their own, without a link (the case is
the enterprise's, not theirs to see). How: an in-app notification, written in the step's transaction, and
for each an SMS and an e-mail queued beside it (`notification_deliveries`), sent by the delivery job after
the commit, each channel retried on its own (jobs/notify.py); a channel that fails never touches the
in-app notification.

The persons a case concerns who have an account of their own (a lock's person, the person deregistered) are told
of its decision, not of a 补正, in words of their own (not theirs to amend or withdraw) and without the case's
link. A person his employer deregistered (no authority decides it) is told when it takes effect
(tell_person_deregistered, from the deregistration's handler), the same way.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, or_, select

from app.config import public_url
from app.db import table_of, utcnow
from app.errors import Message
from app.extensions import db
from app.integrations.mail import mask_address
from app.log_masking import mask_shown_text, mask_text
from app.models import Case, CaseStatus, NotificationDelivery, ProjectLock, Role, Task, User, UserRole
from app.policy import rights_cover
from app.services.cases.internal_fields import internal_keys, without_keys
from app.services.deadlines.calendar import WorkCalendar, current_calendar
from app.services.deadlines.limits import LOCAL_TZ
from app.services.deadlines.supplement import SUPPLEMENT_DUE, supplement_due
from app.services.notifications import Note, Recipient, Written, notify

SUPPLEMENT, REFUSED, DONE = "applicant_supplement", "applicant_refused", "applicant_done"
DECIDED = "applicant_decided"  # approved, the case still waiting for another system: a decision, not 办结
PER_CHANNEL = "per_channel"  # the notification's own delivery column is not used: see NotificationDelivery
ITEM_FIELDS = ("missing_items", "deficient_materials")
SMS_LIMIT = 300  # characters: a long SMS is split by the gateway; beyond this the link says the rest


@dataclass(frozen=True)
class Decision:
    """What an authority's completed form decided, in the form's own words."""

    value: str
    title: str
    comment: str
    items: list[str]
    ground: str
    # The choice's English as an outcome (`x-outcome_en`, "Unlock refused"; else its `title_en`, the reviewer's
    # button: "Refuse the unlock"), "" when the form gives none.
    title_en: str = ""
    document: str = ""  # the choice's "x-document": "sanction" for a decision that sanctions (处理决定书)
    details: list[str] = field(default_factory=list)  # for such a decision: what else the form said, as lines
    items_en: list[str] = field(default_factory=list)  # each item's English from its choice, "" where none


def _choice(schema: dict[str, Any], value: Any) -> dict[str, Any]:
    """The schema's choice whose `const` is `value` ({} when none is)."""
    return next((c for c in schema.get("oneOf") or schema.get("anyOf") or [] if c.get("const") == value), {})


def _choice_title(schema: dict[str, Any], value: Any) -> str:
    return str(_choice(schema, value).get("title") or value)


def read_decision(form: dict[str, Any], data: dict[str, Any]) -> Decision | None:
    """The decision of an authority's form (its `decision` field), with the titles its schema gives."""
    props = form.get("properties") or {}
    value = data.get("decision")
    if "decision" not in props or not isinstance(value, str):
        return None
    items: dict[str, str] = {}  # an item's title -> its English ("" when the form gives none)
    for name in ITEM_FIELDS:
        item_schema = (props.get(name) or {}).get("items") or {}
        for v in data.get(name) or []:
            items.setdefault(_choice_title(item_schema, v), str(_choice(item_schema, v).get("title_en") or ""))
    ground = _choice_title(props["reject_ground"], data["reject_ground"]) if data.get("reject_ground") and \
        "reject_ground" in props else ""
    chosen = _choice(props["decision"], value)
    details = _details(props, data) if chosen.get("x-document") else []
    return Decision(value, str(chosen.get("title") or value), str(data.get("comment") or "").strip(),
                    list(items), ground, str(chosen.get("x-outcome_en") or chosen.get("title_en") or ""),
                    str(chosen.get("x-document") or ""), details, list(items.values()))


_NOT_DETAILS = {"decision", "comment", "reject_ground", *ITEM_FIELDS}


def item_results(form: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """A form that decides item by item (a list whose rows each have a `decision`, 入库信息填报's 逐项审核):
    one line per row, "item：decision（comment）", the item by its choice's title. [] for any other form."""
    lines = []
    for name, spec in (form.get("properties") or {}).items():
        row_props = ((spec or {}).get("items") or {}).get("properties") or {} if isinstance(spec, dict) else {}
        if spec.get("type") != "array" or "decision" not in row_props or not isinstance(data.get(name), list):
            continue
        subject = next((key for key in row_props if key not in ("decision", "comment")), None)
        for row in data[name]:
            if not isinstance(row, dict):
                continue
            item = _choice_title(row_props[subject], row.get(subject)) if subject else ""
            verdict = _choice_title(row_props["decision"], row.get("decision"))
            comment = str(row.get("comment") or "").strip()
            lines.append(f"{item}：{verdict}" + (f"（{comment}）" if comment else "") if item else verdict)
    return lines


def _details(props: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """The form's other answers, in its order, as "title：value" lines (a choice by its title, yes/no in words),
    uploads left out: what a sanction consists of (扣减诚信分：5, 通报批评内容：…)."""
    lines = []
    for name, spec in props.items():
        value = data.get(name)
        if name in _NOT_DETAILS or value in (None, "", []) or not isinstance(spec, dict) or \
                spec.get("format") == "attachment" or (spec.get("items") or {}).get("format") == "attachment":
            continue
        shown = ("是" if value else "否") if isinstance(value, bool) else \
            "、".join(_choice_title(spec.get("items") or {}, v) for v in value) if isinstance(value, list) else \
            _choice_title(spec, value)
        lines.append(f"{spec.get('title') or name}：{shown}")
    return lines


def recipients(case: Case) -> tuple[list[Recipient], list[Recipient]]:
    """(the active users of the applicant organisation granted the case's procedure, the individuals the case is
    about who have an account of their own outside it: a lock's person, the person deregistered), in one
    statement of the columns the notices need (the locks' persons are a subquery; the phone is decrypted by its
    column type)."""
    data = case.data or {}
    direct = [data["person_id"]] if isinstance(data.get("person_id"), int) else []
    lock_ids = [i for i in data.get("lock_ids") or [] if isinstance(i, int)]
    params: dict[str, Any] = {"org": case.applicant_org_id}
    if direct or lock_ids:
        statement, params["direct"], params["locks"] = _RECIPIENTS_CONCERNED, direct, lock_ids
    else:
        statement = _RECIPIENTS
    rows = db.session.execute(statement, params).all()
    found = [Recipient(row.id, row.organisation_id, row.phone, row.email) for row in rows
             if row.organisation_id != case.applicant_org_id
             or rights_cover(row.allowed_procedures, case.procedure_key)]
    return ([r for r in found if r.organisation_id == case.applicant_org_id],
            [r for r in found if r.organisation_id != case.applicant_org_id])


# Built once (a statement built per call cost more CPU than its execution); an empty list of persons or locks
# is an IN that matches nothing.
_RECIPIENT_COLUMNS = select(User.id, User.organisation_id, User.phone, User.email, User.allowed_procedures)
_OF_APPLICANT = User.organisation_id == bindparam("org")
_RECIPIENTS = _RECIPIENT_COLUMNS.where(_OF_APPLICANT, User.active.is_(True)).order_by(User.id)
_LOCKED_PERSONS = select(ProjectLock.person_id).where(ProjectLock.id.in_(bindparam("locks", expanding=True)))
_RECIPIENTS_CONCERNED = _RECIPIENT_COLUMNS.where(
    or_(_OF_APPLICANT, User.person_id.in_(bindparam("direct", expanding=True)), User.person_id.in_(_LOCKED_PERSONS)),
    User.active.is_(True)).order_by(User.id)


def _sms(summary: str, payload: dict[str, Any], link: str) -> str:
    """The SMS: the summary, the items to supply (shortened to fit), the link."""
    items = "；".join(payload.get("items") or [])
    head, tail = f"【桂建云】{summary}", f" {link}" if link else ""
    if items and payload.get("due_date"):
        room = SMS_LIMIT - len(head) - len(tail) - 6
        items = items if len(items) <= room else items[:max(room - 1, 0)] + "…"
        head += f"需补正：{items}。"
    return head + tail


def _kind_of(case: Case, decision: Decision | None, waiting: Task | None, open_tasks: Sequence[Task]) -> str | None:
    """Which notice a completed authority step gives the applicant, if any."""
    if decision is not None and decision.value == "return":
        return SUPPLEMENT if waiting is not None else None  # a return to another authority is not his
    if decision is not None and decision.value == "reject":
        return REFUSED
    if case.status in (CaseStatus.COMPLETED, CaseStatus.TERMINATED):
        return DONE
    if decision is not None and decision.value == "approve" and case.status == CaseStatus.RUNNING and \
            not open_tasks:
        # Decided, only waiting now: for its own date (a temporary unlock until its end date), it is 办结; for
        # another system (the national platform's acknowledgement), it is not done until that comes.
        return DONE if case.next_timer_at is not None else DECIDED
    return None


@dataclass(frozen=True)
class Outcome:
    """What an authority's step meant for the applicant: a notice kind, the decision, his task to act on, and for
    a 补正 by when (with the limit in words), computed once for the notice and its 补正告知书."""

    kind: str
    decision: Decision | None
    waiting: Task | None
    due: tuple[datetime, str] | None = None
    results: list[str] = field(default_factory=list)  # a decision item by item: one line per item


def classify(case: Case, task: Task, form: dict[str, Any], data: dict[str, Any], open_tasks: Sequence[Task],
             calendar: Callable[[], WorkCalendar] = current_calendar) -> Outcome | None:
    """After an authority completed `task` with `data`: 补正, a refusal, 办结, or nothing for the applicant.
    `open_tasks` are the case's open task rows after the step, oldest first (the step has them at hand:
    steps.StepOutcome), `calendar` the step's own (not read a second time)."""
    if task.scope == "applicant":
        return None
    data = without_keys(data, internal_keys(form))  # what the authorities keep among themselves is never told
    decision = read_decision(form, data)
    waiting = next((t for t in open_tasks if t.scope == "applicant"), None)
    kind = _kind_of(case, decision, waiting, open_tasks)
    if kind is None:
        return None
    due = _supplement_date(case, waiting, calendar) if kind == SUPPLEMENT else None
    return Outcome(kind, decision, waiting, due, item_results(form, data) if kind == DONE else [])


def _supplement_date(case: Case, waiting: Task | None,
                     calendar: Callable[[], WorkCalendar]) -> tuple[datetime, str]:
    """The 补正 date and its limit in words: the date the applicant's task carries (deadlines/supplement, set when
    it opened), so that the notice, the 补正告知书 and his task say the same day; computed now where it has none."""
    due, words = supplement_due(case, utcnow(), calendar())
    if waiting is not None and waiting.deadline_state == SUPPLEMENT_DUE and waiting.due_at is not None:
        due = waiting.due_at
    return due, words


def after_authority_step(case: Case, task: Task, outcome: Outcome) -> list[Written]:
    """After an authority completed `task` (same transaction): tell the applicant what `outcome` (classify) says."""
    kind, waiting = outcome.kind, outcome.waiting
    note, lines, payload, aside = _compose(case, task, outcome)
    path = f"/tasks/{waiting.id}" if waiting is not None else f"/cases/{case.id}"
    applicants, concerned = recipients(case)
    created = notify(applicants, Note(kind, note.title, note.body, case.id, waiting.id if waiting else None,
                                      note.key, {**payload, "link": path}), delivery_status=PER_CHANNEL)
    link = f"办理：{public_url(path)}" if waiting is not None else f"查看：{public_url(path)}"
    # The persons concerned are told of a decision, not of a 补正 (the applicant's to answer), in words that do not
    # make the case theirs to amend or withdraw, and without its link (the case is the applicant's).
    told = notify(concerned, Note(kind, note.title, aside.body, None, None, note.key, payload),
                  delivery_status=PER_CHANNEL) if aside is not None else []
    deliveries = [*_deliveries(created, applicants, note.title, "\n".join([*lines, link]),
                               _sms(note.body, payload, link)),
                  *(_deliveries(told, concerned, note.title, "\n".join(aside.lines), _sms(aside.body, payload, ""))
                    if aside is not None else [])]
    if deliveries:  # rows nothing reads back in this transaction: one INSERT, not objects for the unit of work
        db.session.execute(insert(_DELIVERIES), deliveries)
    return created + told


@dataclass(frozen=True)
class Aside:
    """What the persons concerned by a decision read (a lock's person, the person deregistered): its body and the
    lines of its SMS and e-mail text."""

    body: str
    lines: list[str]


def _compose(case: Case, task: Task, outcome: Outcome) -> tuple[Note, list[str], dict[str, Any], Aside | None]:
    """(the in-app note, the lines of the SMS and e-mail text, the payload the pages show, what the persons
    concerned read: None for a 补正)."""
    kind, decision, waiting = outcome.kind, outcome.decision, outcome.waiting
    authority = task.lane or "审核部门"
    about = f"您的办件“{case.title}”（{case.number}）"
    # What the reviewer typed is read by others: ID numbers and phones in it masked, as the logs mask them (and
    # as the decision's documents print it: documents/issue).
    comment = mask_shown_text(decision.comment) if decision else ""
    results = [mask_shown_text(line) for line in outcome.results]
    payload: dict[str, Any] = {"case_number": case.number, "decision": decision.title if decision else "",
                               "items": decision.items if decision else [], "comment": comment,
                               "authority": authority}
    lines: list[str]
    aside: Aside | None = None
    concerning = f"涉及您的办件“{case.title}”（{case.number}）"
    # The note's title and body are messages (the pages read them in their language); `named` holds the values
    # they name, with the English of the decision where the form gives one (an English template uses `*_en`).
    named = {"title": case.title, "number": case.number, "authority": authority}
    if kind == SUPPLEMENT:
        assert decision is not None and outcome.due is not None
        due, words = outcome.due
        due_text = due.astimezone(LOCAL_TZ).strftime("%Y-%m-%d")
        payload |= {"due_date": due_text, "due_within": words, "items_en": decision.items_en}
        title: str = Message("【补正告知】{number} 需补正材料", **named)
        body: str = Message("您的办件“{title}”（{number}）经{authority}审核，需补正材料。"
                            "请于 {due} 前（{within}内）补正后重新提交。", **named, due=due_text, within=words,
                            within_en=_english_limit(words))
        lines = [f"{about}经{authority}审核，需补正以下材料（一次性告知）：",
                 *(f"{i}. {item}" for i, item in enumerate(decision.items, 1)),
                 *([f"审核意见：{comment}"] if comment else []),
                 f"请于 {due_text} 前（{words}内）补正后重新提交。"]
    elif kind == DECIDED:
        assert decision is not None
        named |= {"decision": decision.title, "decision_en": decision.title_en or decision.title}
        title = Message("【审核决定】{number} {decision}", **named)
        body = Message("您的办件“{title}”（{number}）经{authority}审核，决定：{decision}。办件尚未办结，"
                       "后续环节完成后办结。", **named)
        details = [*([f"审核意见：{comment}"] if comment else []), f"当前环节：{case.current_step or ''}"]
        lines = [body, *details]
        aside_body = Message("涉及您的办件“{title}”（{number}）经{authority}审核，决定：{decision}。", **named)
        aside = Aside(aside_body, [aside_body, *details[:-1]])
    elif kind == REFUSED:
        assert decision is not None
        then = "您可修改后重新提交，或撤回申请。" if waiting is not None else "办件已办结。"
        named |= {"decision": decision.title, "decision_en": decision.title_en or decision.title}
        title = Message("【{decision}】{number}", **named)
        body = Message("您的办件“{title}”（{number}）审核结论：{decision}。您可修改后重新提交，或撤回申请。"
                       if waiting is not None else "您的办件“{title}”（{number}）审核结论：{decision}。办件已办结。",
                       **named)
        payload |= {"ground": decision.ground, "items_en": decision.items_en}
        reasons = [*([f"依据：{decision.ground}"] if decision.ground else []),
                   *([f"不符合要求的材料：{'、'.join(decision.items)}"] if decision.items else []),
                   *([f"审核意见：{comment}"] if comment else [])]
        lines = [f"{about}经{authority}审核，结论：{decision.title}。", *reasons, then]
        aside = Aside(Message("涉及您的办件“{title}”（{number}）审核结论：{decision}。", **named),
                      [f"{concerning}经{authority}审核，结论：{decision.title}。", *reasons])
    else:
        result = decision.title if decision is not None else ("已办结" if case.status == CaseStatus.COMPLETED
                                                                else "已终止")
        named |= {"result": result, "result_en": (decision.title_en or decision.title) if decision is not None
                  else ("completed" if case.status == CaseStatus.COMPLETED else "terminated")}
        title = Message("【办结】{number} {result}", **named)
        body = Message("您的办件“{title}”（{number}）已办理完毕：{result}。", **named)
        details = [*(["逐项审核结论：", *results] if results else []),
                   *([f"审核意见：{comment}"] if comment else [])]
        lines = [body, *details]
        aside_body = Message("涉及您的办件“{title}”（{number}）已办理完毕：{result}。", **named)
        aside = Aside(aside_body, [aside_body, *details])
        payload |= {"results": results} if results else {}
    key = f"{case.id}:{task.id}"
    return Note(kind, title if len(title) <= 200 else title[:200], body, case.id, None, key), lines, payload, aside


def _english_limit(words: str) -> str:
    """"10 个工作日" -> "10 working days", "15 日" -> "15 days", "120 小时" -> "120 hours" (a supplement limit, for
    the English pages; limits.limit_words)."""
    amount, _, unit = words.partition(" ")
    english = {"个工作日": "working days", "小时": "hours", "分钟": "minutes"}.get(unit, "days")
    return f"{amount} {english}"


_DELIVERIES = table_of(NotificationDelivery)


def _deliveries(created: list[Written], recipients: list[Recipient], subject: str, text: str,
                sms: str) -> list[dict[str, Any]]:
    """An SMS and an e-mail for each new notification whose user has a phone / an address (kept masked here:
    the delivery reads the user's own, encrypted where users' phones are, when it sends). The notifications
    were written with delivery_status PER_CHANNEL: these rows are their delivery."""
    users = {u.id: u for u in recipients}
    rows: list[dict[str, Any]] = []
    for row in created:
        user = users[row.user_id]
        if user.phone:
            rows.append({"notification_id": row.id, "channel": "sms", "address": mask_text(user.phone),
                         "subject": "", "text": sms})
        if user.email:
            rows.append({"notification_id": row.id, "channel": "email", "address": mask_address(user.email),
                         "subject": f"【桂建云】{subject}", "text": text + "\n\n（本邮件由系统自动发送，请勿回复。）"})
    return rows


PERSON_DEREGISTERED = "person_deregistered"
RECORDS_PATH = "/records/persons"  # his own record (its status 已注销): what an individual may open
# The active individual accounts of a person (an enterprise's operator linked to the person is not one).
_INDIVIDUALS_OF_PERSON = (_RECIPIENT_COLUMNS.join(UserRole, UserRole.user_id == User.id)
                          .where(User.person_id == bindparam("person"), UserRole.role == Role.INDIVIDUAL,
                                 User.active.is_(True)).order_by(User.id))


def tell_person_deregistered(case: Case, person_id: int, employer: str) -> list[Written]:
    """The person deregistered on someone else's application, when he has an individual account: an in-app notice
    with its SMS and e-mail (as the applicant's notices). It links to no case: the case is the applicant's, which
    he may not open (policy.can_see_case); the texts point to his own record instead."""
    found = [Recipient(row.id, row.organisation_id, row.phone, row.email)
             for row in db.session.execute(_INDIVIDUALS_OF_PERSON, {"person": person_id})]
    title = Message("人员注销通知（{number}）", number=case.number)  # the pages read it in their language
    body = Message("{employer}已为您办理人员注销，您已从该单位注销（{number}）", employer=employer, number=case.number)
    told = notify(found, Note(PERSON_DEREGISTERED, title, body, key=str(case.id),
                              payload={"case_number": case.number, "employer": employer}),
                  delivery_status=PER_CHANNEL)
    link = public_url(RECORDS_PATH)
    rows = _deliveries(told, found, title, f"{body}。\n查看：{link}", f"【桂建云】{body}。 {link}")
    if rows:
        db.session.execute(insert(_DELIVERIES), rows)
    return told
