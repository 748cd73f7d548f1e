"""`flask audit archive --before` with a day no audit log can reach (0001-01-01, before 2000): a usage error naming
the range, exit status non-zero and no traceback; nothing archived, no file left behind."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "1999-12-31", "9999-12-31"])
def test_an_absurd_day_is_refused_with_a_message(app: Flask, tmp_path: Path, day: str) -> None:
    target = tmp_path / "old.csv"
    result = app.test_cli_runner().invoke(args=["audit", "archive", "--before", day, "--to", str(target)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "2000-01-01" in result.output
    assert not target.exists()


def test_a_day_not_a_date_is_refused_as_before(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "archive", "--before", "2025-02-30",
                                                "--to", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "--before" in result.output
