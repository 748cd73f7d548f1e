"""Deploy inputs for engine tests, built from the fixture procedure without a database."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from app.engine import BundleInput

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "procedures"
ROLES = {"enterprise", "city_reviewer", "province_reviewer", "admin"}


def bundle_input(edit: Callable[[str], str] = lambda text: text, **extra: Any) -> BundleInput:
    """The fixture procedure `material_review` as deploy reads it, its diagram passed through `edit`."""
    text = (FIXTURE / "bpmn" / "material_review.bpmn").read_text("utf-8")
    forms = {p.name: p.read_text("utf-8") for p in sorted((FIXTURE / "forms").glob("*.json"))}
    lanes = json.loads((FIXTURE / "bpmn" / "lanes.json").read_text("utf-8"))
    return BundleInput(bpmn={"material_review.bpmn": edit(text).encode("utf-8")}, dmn={}, forms=forms,
                       lanes=lanes, handler_names={"test.register_outcome"}, roles=ROLES, **extra)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _end_of_day(day: str) -> str:
    return datetime.combine(date.fromisoformat(day), time(23, 59, 59), tzinfo=CHINA).isoformat()


def _add_working_days(start: str, days: int) -> str:
    return (datetime.fromisoformat(start) + timedelta(days=int(days) * 7 // 5)).isoformat()


CHINA = timezone(timedelta(hours=8))
# Stand-ins with the runtime's signatures and results (ISO strings with an offset; services/steps.py has the
# real ones, which need the database's calendar).
FUNCTIONS: dict[str, Callable[..., Any]] = {"now": _now, "end_of_day": _end_of_day,
                                            "add_working_days": _add_working_days}


def with_boundary_timer(tag: str, expression: str, interrupting: bool = False) -> Callable[[str], str]:
    """An edit adding a timer boundary event `review_overdue` (timeDate/timeDuration/timeCycle) to the review."""
    event = (f'<bpmn:boundaryEvent id="review_overdue" name="审核超时" attachedToRef="review" '
             f'cancelActivity="{str(interrupting).lower()}"><bpmn:outgoing>f_overdue</bpmn:outgoing>'
             f'<bpmn:timerEventDefinition id="review_overdue_timer"><bpmn:{tag}>{escape(expression)}</bpmn:{tag}>'
             '</bpmn:timerEventDefinition></bpmn:boundaryEvent>'
             '<bpmn:endEvent id="end_overdue" name="超时结束"><bpmn:incoming>f_overdue</bpmn:incoming></bpmn:endEvent>'
             '<bpmn:sequenceFlow id="f_overdue" sourceRef="review_overdue" targetRef="end_overdue"/>')

    def edit(text: str) -> str:
        return text.replace("</bpmn:process>", event + "</bpmn:process>", 1)
    return edit
