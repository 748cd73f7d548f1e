"""A timer cycle's repetitions in digits other than ASCII ("R²/PT1H", "R３/PT1H", thousands of digits) are a problem
named in Chinese at the deploy check and at run time, not an exception."""
from __future__ import annotations

import pytest

from app.engine.timer_values import timer_problem


@pytest.mark.parametrize("head", ["²", "３", "٣", "9" * 5000])
def test_a_cycle_with_repetitions_not_in_ascii_digits_is_refused(head: str) -> None:
    problem = timer_problem("cycle", f"R{head}/PT1H")
    assert problem is not None and "须写明重复次数" in str(problem)


def test_a_bounded_cycle_is_scheduled() -> None:
    assert timer_problem("cycle", "R3/PT1H") is None
