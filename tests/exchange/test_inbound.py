"""Inbound messages: signed by the sending system (HMAC over timestamp and body, replay window, a signature
accepted once), stored as received, validated, applied once, out-of-order safe, visible to an admin.
A certificate change of a person locked to an in-progress project is refused and reported."""
from __future__ import annotations

import json
import re
import time
from itertools import count
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.integrations.exchange.signing import signed_headers
from app.models import InboundMessage, Notification, Organisation, PerformanceRecord, Person, PersonStatus
from app.services.demo import credit_code, id_number
from tests.exchange.conftest import KEYS  # the inbound keys the inbound_app fixture configures

FREE = id_number("45010719920105003")      # 梁海: employed by 邕城建设, not locked
LOCKED = id_number("45010219850315001")    # 陆伟: PM locked to 南宁市民服务中心工程
LIUZHOU = credit_code("91450200MA5LCD456")
_ids = count(1)


def envelope(kind: str, payload: dict[str, Any], version: int | None = None, message_id: str | None = None,
             ) -> dict[str, Any]:
    found = {"message_id": message_id or f"msg-{next(_ids)}-{time.time_ns()}", "kind": kind, "schema_version": 1,
             "occurred_at": "2026-12-05T08:00:00+08:00", "payload": payload}
    if version is not None:
        found["version"] = version
    return found


def send(client: Any, system: str, message: Any, key: str | None = None, now: float | None = None,
         headers: dict[str, str] | None = None) -> Any:
    body = json.dumps(message, ensure_ascii=False).encode("utf-8")
    signed = headers if headers is not None else signed_headers(key or KEYS[system], body, now)
    return client.post(f"/api/v1/exchange/inbound/{system}", data=body, content_type="application/json",
                       headers=signed)


def change(id_no: str, kind: str = "employer_change", employer: str | None = LIUZHOU) -> dict[str, Any]:
    return {"id_number": id_no, "name": "测试", "certificate_number": "桂4501TH2021X", "change": kind,
            "new_employer_credit_code": employer if kind == "employer_change" else None}


def person(app: Flask, id_no: str) -> Person:
    with app.app_context():
        found = db.session.scalar(select(Person).where(Person.id_number_is(id_no)))
        assert found is not None
        db.session.expunge(found)
        return found


def stored(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(InboundMessage)) or 0


def liuzhou_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(Organisation.id).where(Organisation.credit_code == LIUZHOU)) or 0


def test_an_employer_change_from_the_approval_system_is_applied(inbound_app: Flask, client: Any) -> None:
    answer = send(client, "approval_system", envelope("certificate_change", change(FREE)))
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "applied" and answer.json["code"] == "employer_changed"
    assert person(inbound_app, FREE).employer_id == liuzhou_id(inbound_app)


def test_the_same_message_twice_changes_nothing_the_second_time(inbound_app: Flask, client: Any) -> None:
    message = envelope("certificate_change", change(FREE, "deregistration"))
    first = send(client, "approval_system", message)
    second = send(client, "approval_system", message, now=time.time() + 1)  # a retry: signed again
    assert first.json["status"] == "applied" and not first.json["duplicate"]
    assert second.status_code == 200 and second.json["duplicate"] and second.json["id"] == first.json["id"]
    assert stored(inbound_app) == 1 and person(inbound_app, FREE).status == PersonStatus.DEREGISTERED


def test_an_older_version_arriving_after_a_newer_one_is_a_conflict(inbound_app: Flask, client: Any) -> None:
    newer = send(client, "national_platform", envelope("person", {"id_number": FREE, "name": "梁海新"}, version=2))
    older = send(client, "national_platform", envelope("person", {"id_number": FREE, "name": "梁海旧"}, version=1))
    assert newer.json["status"] == "applied"
    assert older.json["status"] == "conflict" and older.json["code"] == "stale_version"
    assert person(inbound_app, FREE).name == "梁海新"


def test_a_bad_signature_is_refused_and_nothing_is_stored(inbound_app: Flask, client: Any) -> None:
    answer = send(client, "approval_system", envelope("certificate_change", change(FREE)), key="wrong-key")
    assert answer.status_code == 401 and answer.json["code"] == "signature_invalid"
    assert "签名无效" in answer.json["message"]
    assert stored(inbound_app) == 0 and person(inbound_app, FREE).employer_id != liuzhou_id(inbound_app)


def test_a_signature_older_than_the_replay_window_is_refused(inbound_app: Flask, client: Any) -> None:
    answer = send(client, "approval_system", envelope("certificate_change", change(FREE)), now=time.time() - 301)
    assert answer.status_code == 401 and answer.json["code"] == "signature_expired"
    assert stored(inbound_app) == 0


def test_a_timestamp_that_is_not_unix_seconds_is_refused_as_out_of_the_window(inbound_app: Flask,
                                                                               client: Any) -> None:
    """Checked before the signature, so anyone can send one: 400 digits used to overflow into a 500."""
    now = str(int(time.time()))
    for timestamp in ("9" * 400, f"+{now}", f"{now[:4]}_{now[4:]}", f" {now}", "1e9"):
        answer = send(client, "approval_system", envelope("certificate_change", change(FREE)),
                      headers={"X-GJY-Timestamp": timestamp, "X-GJY-Signature": "00"})
        assert answer.status_code == 401 and answer.json["code"] == "signature_expired", timestamp
        assert "签名时间戳超出允许范围" in answer.json["message"]
    assert stored(inbound_app) == 0


def test_a_malformed_envelope_is_refused_in_chinese(inbound_app: Flask, client: Any) -> None:
    """The other system's operators read the reason: jsonschema's English ("Additional properties are not
    allowed") reached them, and an occurred_at that is no date-time was accepted (unchecked format)."""
    extra = send(client, "approval_system", {**envelope("certificate_change", change(FREE)), "zz": 1})
    bad_time = send(client, "approval_system", {**envelope("certificate_change", change(FREE)),
                                                "occurred_at": "not a date"})
    for answer, reason in ((extra, "不允许的字段 zz"), (bad_time, "occurred_at: “not a date”不是有效的日期时间")):
        assert answer.json["status"] == "rejected" and reason in answer.json["message"], answer.json
        assert not re.search(r"[A-Za-z]{4} [a-z]{3}", answer.json["message"].replace("not a date", ""))
    assert person(inbound_app, FREE).employer_id != liuzhou_id(inbound_app)


def test_a_replayed_request_is_refused(inbound_app: Flask, client: Any) -> None:
    body = json.dumps(envelope("certificate_change", change(FREE)), ensure_ascii=False).encode("utf-8")
    headers = signed_headers(KEYS["approval_system"], body)
    first = client.post("/api/v1/exchange/inbound/approval_system", data=body, content_type="application/json",
                        headers=headers)
    replay = client.post("/api/v1/exchange/inbound/approval_system", data=body, content_type="application/json",
                         headers=headers)
    assert first.status_code == 200 and replay.status_code == 409 and replay.json["code"] == "signature_replayed"
    assert stored(inbound_app) == 1


def test_missing_signature_and_unconfigured_key_are_refused(inbound_app: Flask, client: Any) -> None:
    missing = send(client, "approval_system", envelope("certificate_change", change(FREE)), headers={})
    assert missing.status_code == 401 and missing.json["code"] == "signature_missing"
    inbound_app.config["EXCHANGE_SETTINGS"] = {}
    unconfigured = send(client, "approval_system", envelope("certificate_change", change(FREE)))
    assert unconfigured.status_code == 401 and unconfigured.json["code"] == "exchange_key_missing"


def test_a_malformed_payload_is_stored_as_rejected_with_a_clear_reason(inbound_app: Flask, client: Any) -> None:
    answer = send(client, "approval_system", envelope("certificate_change", {"id_number": "123", "change": "x"}))
    assert answer.status_code == 200 and answer.json["status"] == "rejected"
    assert answer.json["code"] == "payload_invalid"
    assert "id_number" in answer.json["message"] and "certificate_number" in answer.json["message"]
    assert stored(inbound_app) == 1


def test_a_kind_the_system_does_not_send_is_rejected(inbound_app: Flask, client: Any) -> None:
    answer = send(client, "quality_safety", envelope("certificate_change", change(FREE)))
    assert answer.json["status"] == "rejected" and answer.json["code"] == "kind_not_accepted"


def test_a_message_without_id_is_refused(inbound_app: Flask, client: Any) -> None:
    answer = send(client, "approval_system", {"kind": "certificate_change", "payload": {}})
    assert answer.status_code == 422 and answer.json["code"] == "exchange_message_invalid"


def test_a_certificate_change_of_a_locked_person_is_refused_and_reported(inbound_app: Flask, client: Any,
                                                                         as_user: Any) -> None:
    before = person(inbound_app, LOCKED)
    answer = send(client, "approval_system", envelope("certificate_change", change(LOCKED)))
    assert answer.status_code == 200 and answer.json["status"] == "rejected"
    assert answer.json["code"] == "person_locked" and "项目经理" in answer.json["message"]
    assert "解锁" in answer.json["message"]
    after = person(inbound_app, LOCKED)
    assert (after.employer_id, after.status) == (before.employer_id, before.status)
    with inbound_app.app_context():
        reported = db.session.scalars(select(Notification.user_id).where(Notification.kind == "exchange_refused"))
        assert len(set(reported)) >= 2  # the employer's operator and the admin
    listed = as_user("admin").get("/api/v1/exchange/inbound?status=rejected").json["items"]
    assert [(m["kind"], m["result_code"]) for m in listed] == [("certificate_change", "person_locked")]


def test_an_award_lock_freezes_a_performance_record_until_released(inbound_app: Flask, client: Any) -> None:
    with inbound_app.app_context():
        record_id = db.session.scalar(select(PerformanceRecord.id).order_by(PerformanceRecord.id))
    lock = {"performance_record_id": record_id, "lock_reference": "ZB-2026-001", "award_project": "某中标项目",
            "locked_on": "2026-12-01"}
    assert send(client, "trading_platform", envelope("award_lock", lock)).json["status"] == "applied"
    with inbound_app.app_context():
        assert db.session.get(PerformanceRecord, record_id).award_lock == "ZB-2026-001"  # type: ignore[union-attr]
    other = send(client, "trading_platform", envelope("award_release", {
        "performance_record_id": record_id, "lock_reference": "ZB-OTHER", "released_on": "2026-12-03"}))
    assert other.json["status"] == "rejected" and other.json["code"] == "award_lock_mismatch"
    released = send(client, "trading_platform", envelope("award_release", {
        "performance_record_id": record_id, "lock_reference": "ZB-2026-001", "released_on": "2026-12-03"}))
    assert released.json["status"] == "applied" and released.json["code"] == "released"
    with inbound_app.app_context():
        assert db.session.get(PerformanceRecord, record_id).award_lock is None  # type: ignore[union-attr]


def test_only_admins_see_the_inbound_messages(inbound_app: Flask, as_user: Any) -> None:
    assert as_user("city-nanning").get("/api/v1/exchange/inbound").status_code == 403
    assert as_user("admin").get("/api/v1/exchange/inbound").status_code == 200


def test_a_batch_file_is_imported_message_by_message(inbound_app: Flask, tmp_path: Any) -> None:
    file = tmp_path / "changes.jsonl"
    lines = [envelope("certificate_change", change(FREE)), envelope("certificate_change", change(LOCKED)),
             envelope("certificate_change", {"id_number": FREE})]
    lines.append(lines[0])  # the same message twice in one file
    file.write_text("\n".join(json.dumps(m, ensure_ascii=False) for m in lines), encoding="utf-8")
    result = inbound_app.test_cli_runner().invoke(args=["exchange", "import", "approval_system", str(file)])
    assert result.exit_code == 0, result.output
    assert "applied 1" in result.output and "rejected 2" in result.output and "duplicate 1" in result.output
    assert person(inbound_app, FREE).employer_id == liuzhou_id(inbound_app)
    with inbound_app.app_context():
        channels = set(db.session.scalars(select(InboundMessage.channel)))
    assert channels == {"file"}
