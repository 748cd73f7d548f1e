"""`flask exchange import <system> <file>` imports what it can of an imperfect file: a line that is not JSON (or
not an envelope) is refused with its line number and reason, the other lines are imported, a summary is printed and
the exit status says something was refused; a UTF-8 file with a byte-order mark is read; a file in another encoding
is refused as a whole with a message (no traceback), nothing imported."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import InboundMessage


def credit_record(message_id: str, title: str = "良好行为记录") -> dict[str, Any]:
    return {"message_id": message_id, "kind": "credit_record", "schema_version": 1,
            "payload": {"credit_code": "91450100MA5KXY1234", "kind": "good", "title": title,
                        "decided_at": "2026-11-30"}}


def line(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def imported(app: Flask, path: Path, system: str = "national_platform") -> Any:
    return app.test_cli_runner().invoke(args=["exchange", "import", system, str(path)])


def stored(app: Flask) -> dict[str, str]:
    with app.app_context():
        return {row.message_id: str(row.status)
                for row in db.session.execute(select(InboundMessage.message_id, InboundMessage.status))}


def test_a_broken_line_is_refused_with_its_number_and_the_others_are_imported(app: Flask, tmp_path: Path) -> None:
    file = tmp_path / "batch.jsonl"
    file.write_text("\n".join([line(credit_record("imp-1")), '{"message_id": "imp-2", broken',
                               line(credit_record("imp-3")), "", '{"kind": "credit_record"}',
                               line({**credit_record("imp-6"), "payload": {}})]) + "\n", encoding="utf-8")
    ran = imported(app, file)
    assert ran.exit_code == 1, ran.output
    assert isinstance(ran.exception, SystemExit) and "Traceback" not in ran.output
    assert "第 2 行" in ran.output and "不是有效的 JSON" in ran.output
    assert "第 5 行" in ran.output and "报文缺少 message_id 或 kind" in ran.output
    assert "第 6 行" in ran.output and "报文内容不符合规范" in ran.output  # stored as rejected, its line named
    assert "applied 2" in ran.output and "refused 2" in ran.output and "rejected 1" in ran.output
    assert stored(app) == {"imp-1": "applied", "imp-3": "applied", "imp-6": "rejected"}


def test_a_file_with_a_byte_order_mark_is_imported(app: Flask, tmp_path: Path) -> None:
    lines = tmp_path / "bom.jsonl"
    lines.write_bytes("\ufeff".encode() + (line(credit_record("bom-1")) + "\n").encode("utf-8"))
    ran = imported(app, lines)
    assert ran.exit_code == 0, ran.output
    assert "applied 1" in ran.output
    array = tmp_path / "bom.json"
    array.write_bytes("\ufeff".encode() + json.dumps([credit_record("bom-2")], ensure_ascii=False).encode("utf-8"))
    ran = imported(app, array)
    assert ran.exit_code == 0, ran.output
    assert stored(app) == {"bom-1": "applied", "bom-2": "applied"}


def test_a_file_not_in_utf8_is_refused_with_a_message_and_nothing_is_imported(app: Flask, tmp_path: Path) -> None:
    file = tmp_path / "gbk.jsonl"
    file.write_bytes("\n".join([line(credit_record("gbk-1", "good behaviour")),
                                line(credit_record("gbk-2", "优良工程"))]).encode("gbk"))
    ran = imported(app, file)
    assert ran.exit_code == 1, ran.output
    assert not isinstance(ran.exception, UnicodeDecodeError) and "Traceback" not in ran.output
    assert "不是 UTF-8 编码" in ran.output and "第 2 行" in ran.output
    assert stored(app) == {}


def test_a_json_array_that_does_not_parse_is_refused_with_its_line(app: Flask, tmp_path: Path) -> None:
    file = tmp_path / "batch.json"
    file.write_text("[\n" + line(credit_record("arr-1")) + ",\n{broken}\n]", encoding="utf-8")
    ran = imported(app, file)
    assert ran.exit_code == 1, ran.output
    assert "第 3 行" in ran.output and "不是有效的 JSON" in ran.output
    assert stored(app) == {}
