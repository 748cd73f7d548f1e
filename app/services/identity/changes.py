"""The record of account changes: who changed which account how, with the values before and after.

Every action that must reach the audit log (issue 21) calls `record_change`; the list of them is in
docs/security.md ("Identity and sign-in")."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.log_masking import mask_text
from app.models import AccountChange, Actor, User
from app.services import audit

log = logging.getLogger("app.security")


# What each action is called on the pages (the stored action is a stable code, the audit log's too).
CHANGE_TITLES = {
    "account_created": "创建账号", "account_changed": "修改账号", "account_suspended": "停用账号",
    "account_resumed": "恢复账号", "password_changed": "修改密码", "password_reset": "重置密码",
    "token_issued": "签发访问令牌", "token_revoked": "吊销访问令牌", "operator_added": "添加经办人",
    "operator_rights": "设定办理权限", "operator_suspended": "停用经办人", "operator_resumed": "恢复经办人",
    "operator_removed": "移除经办人", "individual_registered": "个人注册", "main_operator_registered": "主操作员注册",
    "main_operator_authorised": "授权主操作员", "enterprise_verification_started": "开始企业认证",
    "enterprise_verified": "企业认证通过", "enterprise_amount_refused": "打款金额不符",
}


def masked_details(value: Any) -> Any:
    """Details with phones and ID numbers masked in every string, nested ones too (a change's before/after, a
    list): as stored since they are masked, and as shown for rows an earlier release stored in clear."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {key: masked_details(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [masked_details(item) for item in value]
    return value


def record_change(actor: Actor | None, action: str, target: User | None = None, *,
                  organisation_id: int | None = None, source_ip: str | None = None, **details: Any) -> None:
    """Write one change (a row in account_changes, a line in the security log). Details hold no password,
    no code and no token; phones and ID numbers in them are masked, at any depth."""
    clean: dict[str, Any] = masked_details(details)
    db.session.add(AccountChange(actor_id=actor.id if actor else None, target_user_id=target.id if target else None,
                                 organisation_id=organisation_id if organisation_id is not None else (
                                     target.organisation_id if target else None),
                                 action=action, details=clean, source_ip=source_ip[:45] if source_ip else None))
    db.session.flush()
    audit.record(actor, f"account.{action}", "user", target.id if target else "", source_ip=source_ip,
                 organisation_id=organisation_id if organisation_id is not None else (
                     target.organisation_id if target else None), target=target.username if target else None, **clean)
    log.info("account change %s by %s on %s: %s", action, actor.id if actor else "-",
             target.id if target else "-", clean)


def changes_of(user_id: int, limit: int = 50) -> list[AccountChange]:
    return list(db.session.scalars(select(AccountChange).where(AccountChange.target_user_id == user_id)
                                   .order_by(AccountChange.id.desc()).limit(limit)))
