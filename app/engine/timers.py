"""The next due timer of a workflow, for the cases.next_timer_at column the worker polls.

A stored timer value the library could not compare with the clock (a state saved before timer values were
checked, or repaired by hand) is reported as a problem naming the timer, never raised: the step then fails
with that message on the case instead of the request failing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.engine.timer_values import stored_moment

TIMER_TYPES = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}


@dataclass(frozen=True)
class TimerProblem:
    step: str
    message: str


@dataclass(frozen=True)
class TimerReading:
    next_at: datetime | None  # UTC
    problem: TimerProblem | None = None


def read_timers(workflow: Any) -> TimerReading:
    """The earliest moment a waiting timer of the workflow (or of its subprocesses) fires, and the first timer
    whose stored value cannot be read."""
    moments: list[datetime] = []
    problem = None
    for pending in workflow.waiting_events():  # name: the timer event's name (else its id)
        if pending.event_type not in TIMER_TYPES or pending.value is None:
            continue  # not a timer, or a cycle that has run out
        try:
            moments.append(stored_moment(pending.value))
        except ValueError:
            problem = problem or TimerProblem(pending.name, f"定时器“{pending.name}”的时间值无法识别"
                                                            f"（{str(pending.value)[:80]}），无法安排，请联系系统管理员")
    return TimerReading(min(moments, default=None), problem)
