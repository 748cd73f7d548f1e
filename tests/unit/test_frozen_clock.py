"""Tests freeze the application's clock, never pytest's own: `--durations` and the timings a developer reads
stay true (freezegun is configured in tests/conftest.py to leave _pytest.timing alone)."""
from __future__ import annotations

import time
from datetime import UTC, datetime

from _pytest import timing
from freezegun import freeze_time


def test_a_frozen_clock_leaves_pytests_timer_running() -> None:
    with freeze_time("2000-01-01 08:00:00"):
        assert datetime.now(UTC).year == 2000  # the app's clock is frozen
        assert time.time() < 1e9
        assert timing.time() > datetime(2020, 1, 1, tzinfo=UTC).timestamp()  # pytest's is not
        before = timing.perf_counter()
        time.sleep(0.01)
        assert timing.perf_counter() > before
