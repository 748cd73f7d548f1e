"""Red/yellow-card scorecard (红黄牌) per authority (region) and per reviewer, from the steps they handle.

Cards follow the electronic-supervision convention (peers.md §3.3), per step (环节):
- yellow (黄牌): a step completed on time but after its warning point, or open and in warning now;
- red (红牌): a step completed late, or open and overdue now.
Completed steps count when completed in the period; open ones as they stand now.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, select

from app.extensions import db
from app.models import Organisation, Task, TaskStatus, User
from app.policy import region_scope
from app.services.dashboard.scope import Scope, region_names, region_title
from app.services.dashboard.tables import REGION_COLUMNS, Column, Table, rate

CARD_COLUMNS = [
    Column("completed", "办结环节数", "int"), Column("on_time", "按时办结", "int"),
    Column("on_time_rate", "按时办结率", "rate"), Column("open", "在办环节数", "int"),
    Column("yellow_completed", "黄牌（办结时已预警）", "int"), Column("yellow_open", "黄牌（当前预警）", "int"),
    Column("red_completed", "红牌（超期办结）", "int"), Column("red_open", "红牌（当前超期）", "int"),
    Column("yellow", "黄牌合计", "int"), Column("red", "红牌合计", "int"),
]
EMPTY = {c.key: 0 for c in CARD_COLUMNS}


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def card_counts(scope: Scope, completed_key: Any, open_key: Any) -> dict[Any, dict[str, Any]]:
    in_scope = and_(Task.region_code.is_not(None), region_scope(Task.region_code, scope.region))
    done = (select(completed_key, func.count(), _count(Task.deadline_state == "completed_on_time"),
                   _count(Task.deadline_state == "completed_late"),
                   _count(and_(Task.deadline_state == "completed_on_time", Task.warn_at.is_not(None),
                               Task.completed_at > Task.warn_at)))
            .where(Task.status == TaskStatus.COMPLETED, Task.completed_at >= scope.start,
                   Task.completed_at < scope.end, in_scope).group_by(completed_key))
    still_open = (select(open_key, func.count(), _count(Task.deadline_state == "warning"),
                         _count(Task.deadline_state == "overdue"))
                  .where(Task.status == TaskStatus.OPEN, in_scope).group_by(open_key))
    cards: dict[Any, dict[str, Any]] = {}
    for key, completed, on_time, late, yellow in db.session.execute(done):
        cards.setdefault(key, dict(EMPTY)).update(completed=completed, on_time=on_time or 0,
                                                  red_completed=late or 0, yellow_completed=yellow or 0,
                                                  measured=(on_time or 0) + (late or 0))
    for key, count, warning, overdue in db.session.execute(still_open):
        cards.setdefault(key, dict(EMPTY)).update(open=count, yellow_open=warning or 0, red_open=overdue or 0)
    for row in cards.values():
        row["yellow"] = row["yellow_completed"] + row["yellow_open"]
        row["red"] = row["red_completed"] + row["red_open"]
        row["on_time_rate"] = rate(row["on_time"], row.pop("measured", 0))
    return cards


def by_authority(scope: Scope) -> Table:
    key = scope.child_key(Task.region_code)
    cards = card_counts(scope, key, key)
    names = region_names()
    rows = []
    for region_key in sorted(cards, key=lambda k: k or ""):
        code = scope.child_code(region_key)
        rows.append({"region_code": code, "region_name": region_title(code, scope, names), **cards[region_key]})
    return Table("scorecard_authority", "红黄牌记分（按办理机关所在地）", [*REGION_COLUMNS, *CARD_COLUMNS], rows)


def by_reviewer(scope: Scope) -> Table:
    cards = card_counts(scope, Task.completed_by_id, Task.assignee_id)
    people = {row.id: (row.username, row.display_name, row.name) for row in db.session.execute(
        select(User.id, User.username, User.display_name, Organisation.name)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(User.id.in_([k for k in cards if k is not None])))}
    rows = []
    for user_id in sorted(cards, key=lambda k: (k is None, k or 0)):
        username, display, org = people.get(user_id, ("", "（未领取）", ""))
        rows.append({"user_id": user_id, "username": username, "reviewer": display, "organisation": org,
                     **cards[user_id]})
    rows.sort(key=lambda r: (-r["red"], -r["yellow"], r["user_id"] is None, r["username"]))
    columns = [Column("username", "账号"), Column("reviewer", "审核人员"), Column("organisation", "单位"),
               *CARD_COLUMNS]
    return Table("scorecard_reviewer", "红黄牌记分（按审核人员）", columns, rows)
