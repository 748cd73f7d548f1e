"""Comments on a case: a "comment" event in its history, written by anyone who may see the case."""
from __future__ import annotations

from app.errors import InvalidForm, Message
from app.models import Actor
from app.services.cases import history
from app.services.cases.lifecycle import get_case

MAX_COMMENT_LENGTH = 1000


def add_comment(actor: Actor, case_id: int, text: str) -> None:
    """Add a comment to a case the actor may see (404 otherwise); empty or overlong text is refused."""
    case = get_case(actor, case_id)
    body = (text or "").strip()
    if not body:
        raise InvalidForm({"comment": Message("请填写评论内容")})
    if len(body) > MAX_COMMENT_LENGTH:
        raise InvalidForm({"comment": Message("评论最多 {limit} 个字", limit=MAX_COMMENT_LENGTH)})
    history.record(case, "comment", actor, payload={"text": body})
