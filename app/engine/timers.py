"""The next due timer of a workflow, for the cases.next_timer_at column the worker polls."""
from __future__ import annotations

from datetime import datetime
from typing import Any

TIMER_TYPES = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}


def next_timer_at(workflow: Any) -> datetime | None:
    values = []
    for pending in workflow.waiting_events():
        if pending.event_type in TIMER_TYPES and pending.value:
            value = pending.value
            values.append(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))
    return min(values, default=None)
