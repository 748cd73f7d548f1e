"""`flask audit verify --expect SEQ:HASH` with a sequence number in digits other than ASCII ("²") is a usage
error naming the format, not a traceback."""
from __future__ import annotations

from flask import Flask


def test_an_expected_head_with_a_superscript_sequence_is_a_usage_error(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--expect", f"²:{'a' * 64}"])
    assert result.exit_code == 2 and "SEQ:HASH" in result.output
