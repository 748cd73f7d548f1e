"""The results of inbound messages as messages in the reader's language.

A received message's result is stored as its Chinese text (inbound_messages.result_message: what the API
answers the sending system and the admin, as it is). Each result the appliers and the inbound checks give is
built from one of the templates below (errors.Message), and `readable` reads a stored text back into its
Message by the same templates (those of its result code), for the admin's 数据交换 page to show it in the
page's language with the names and numbers it holds. A text that fits no template is shown as stored; so are
the problems of a schema check inside a rejection (`readable_problems`), and why a delivery failed (`readable_error`).
"""
from __future__ import annotations

from app.errors import Message, recovered
from app.integrations.exchange import reasons

# What an applied message did.
PERSON_ALREADY_DEREGISTERED = "{person}已注销"
PERSON_DEREGISTERED = "{person}已注销（证书 {certificate}）"
PERSON_ALREADY_EMPLOYED = "{person}已在{employer}"
EMPLOYER_CHANGED = "{person}的单位变更为{employer}"
PERSON_CREATED = "新增人员{person}"
PERSON_UPDATED = "已更新人员{person}"
CERTIFICATE_UPDATED = "证书 {certificate} 已更新"
ENTERPRISE_UPDATED = "企业{enterprise}已更新"
PROJECT_UPDATED = "项目{project}已更新（{level}级）"
PERFORMANCE_IMPORTED = "已导入区外业绩{record}"
PERFORMANCE_UPDATED = "已更新区外业绩{record}"
PERFORMANCE_USED_IN_BID = "业绩“{record}”已用于投标（{bid}），冻结"
PERFORMANCE_AWARD_LOCKED = "业绩“{record}”已中标锁定（{award}）"
PERFORMANCE_AWARD_RELEASED = "业绩“{record}”的中标锁定已解除"
COMPLETED_NOTHING_LOCKED = "项目{project}已竣工验收；无锁定的项目经理，无需解锁"
COMPLETED_NO_OPERATOR = "项目{project}已竣工验收；该企业无经办人账号，未生成解锁申请"
ACCEPTANCE_ATTACHED = "竣工验收信息已附入解锁申请 {number}"
UNLOCK_PREPARED = "已为{enterprise}生成竣工验收解锁申请 {number}"

# Why a message was refused or not applied.
ENTERPRISE_NOT_FOUND = "未找到统一社会信用代码为 {credit_code} 的企业"
REGION_UNKNOWN = "未知的行政区划 {region}"
AWARD_LOCK_HELD = "该业绩已被另一中标锁定（{lock}）"
AWARD_LOCK_MISMATCH = "锁定编号不符（当前为 {lock}）"
PROJECT_NOT_FOUND = "未找到项目 {project}"
PERSON_LOCKED = "{person}为在建项目「{project}」（{code}）的{role}，处于锁定状态，{what}未予办理；请先申请项目人员解锁"
UNLOCK_ALREADY_OPEN = "所选人员已有办理中的解锁申请（{number}），请勿重复申请"
ENVELOPE_INVALID = "报文信封不符合规范：{problems}"
PAYLOAD_INVALID = "报文内容不符合规范：{problems}"
KIND_NOT_ACCEPTED = "不接收{system}发送的“{kind}”报文"
VERSION_UNSUPPORTED = "“{kind}”报文的版本 v{version} 不受支持"
NEWER_VERSION_APPLIED = "已应用更新的版本（{entity}），本报文（版本 {version}）未予应用"

# The templates of each result code (inbound_messages.result_code): a stored text is read by its code's only.
BY_CODE: dict[str, tuple[str, ...]] = {
    "unchanged": (PERSON_ALREADY_DEREGISTERED, PERSON_ALREADY_EMPLOYED),
    "deregistered": (PERSON_DEREGISTERED,),
    "employer_changed": (EMPLOYER_CHANGED,),
    "created": (PERSON_CREATED, PERFORMANCE_IMPORTED),
    "updated": (PERSON_UPDATED, PERFORMANCE_UPDATED),
    "applied": (CERTIFICATE_UPDATED, ENTERPRISE_UPDATED, PROJECT_UPDATED),
    "frozen": (PERFORMANCE_USED_IN_BID,),
    "locked": (PERFORMANCE_AWARD_LOCKED,),
    "released": (PERFORMANCE_AWARD_RELEASED,),
    "project_completed": (COMPLETED_NOTHING_LOCKED, COMPLETED_NO_OPERATOR),
    "case_advanced": (ACCEPTANCE_ATTACHED,),
    "case_started": (UNLOCK_PREPARED,),
    "enterprise_not_found": (ENTERPRISE_NOT_FOUND,),
    "region_unknown": (REGION_UNKNOWN,),
    "award_lock_held": (AWARD_LOCK_HELD,),
    "award_lock_mismatch": (AWARD_LOCK_MISMATCH,),
    "project_not_found": (PROJECT_NOT_FOUND,),
    "person_locked": (PERSON_LOCKED,),
    "duplicate_open_case": (UNLOCK_ALREADY_OPEN,),
    "envelope_invalid": (ENVELOPE_INVALID,),
    "payload_invalid": (PAYLOAD_INVALID,),
    "kind_not_accepted": (KIND_NOT_ACCEPTED,),
    "schema_version_unknown": (VERSION_UNSUPPORTED,),
    "stale_version": (NEWER_VERSION_APPLIED,),
}
# Values that are the product's own terms (a lock's role, the change refused, a system's name): translated with
# their message. The others are names, codes and numbers, shown as they are.
TERMS = frozenset({"role", "what", "system"})


def readable(code: str | None, text: str | None) -> str:
    """A stored result (its code and text) as the Message it was built from, for the pages to translate; a fixed
    text (the catalogue has it) or one no template of its code fits: the text as stored."""
    if not text:
        return ""
    found = recovered(text, BY_CODE.get(code or "", ()), TERMS)
    if isinstance(found, Message) and found.template in (ENVELOPE_INVALID, PAYLOAD_INVALID):
        return Message(found.template, problems=reasons.readable_problems(str(found.values["problems"])))
    return found


def readable_error(text: str | None) -> str:
    """An outgoing message's last error (stored in Chinese) as the Message it was built from, for the page to
    translate; a text no template fits (a connector's bug): as stored."""
    return reasons.readable_error(text)
