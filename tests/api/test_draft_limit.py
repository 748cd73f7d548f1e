"""An organisation's unsubmitted drafts are limited (GJY_MAX_DRAFT_CASES): each draft may hold files up to the case
limit, so one account starting draft after draft could fill the upload disk. A draft submitted or withdrawn makes
room (the start page's refusal: tests/web/test_start_refusals.py)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from app.services.cases import lifecycle
from tests.api.test_case_lifecycle import start_and_submit
from tests.support.api import ApiUser
from tests.support.races import WAIT, in_thread


def test_the_default_limit_is_finite_and_leaves_room_for_ordinary_work(app: Flask) -> None:
    assert 20 <= app.config["MAX_DRAFT_CASES"] < 1000


def test_starting_a_draft_beyond_the_limit_is_refused_until_one_is_submitted_or_withdrawn(
        as_user: Callable[[str], ApiUser], app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "MAX_DRAFT_CASES", 2)
    ent = as_user("ent-nanning")
    first = ent.start("personnel_unlock")
    assert first.status_code == 201 and ent.start("personnel_unlock").status_code == 201
    refused = ent.start("personnel_unlock")
    assert refused.status_code == 422 and refused.json["code"] == "too_many_drafts"
    assert refused.json["message"] == "尚未提交的申请已达 2 件，请先提交或撤回已有的申请，再发起新的申请"
    assert refused.json["message_en"]
    assert len(ent.get("/api/v1/cases").json["items"]) == 2  # nothing was created
    assert as_user("ent-liuzhou").start("personnel_unlock").status_code == 201  # another organisation's own count

    withdrawn = ent.post(f"/api/v1/cases/{first.json['id']}/withdraw", {"reason": "重复发起"})
    assert withdrawn.status_code == 200, withdrawn.json
    start_and_submit(ent)  # a third draft, submitted at once: no longer a draft
    assert ent.start("personnel_unlock").status_code == 201


@pytest.mark.committing
def test_parallel_starts_cannot_pass_the_limit_together(app: Flask, as_user: Callable[[str], ApiUser],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two procedures' starts (their case numbers count apart: nothing else makes them wait for each other): the
    second counts the organisation's drafts only once the first has committed its own."""
    monkeypatch.setitem(app.config, "MAX_DRAFT_CASES", 1)
    first, second = as_user("ent-nanning"), as_user("ent-nanning")
    counted, go_on = threading.Event(), threading.Event()
    real = lifecycle._require_room_for_a_draft

    def counted_then_paused(case: Any) -> None:
        real(case)
        if threading.current_thread().name == "first":
            counted.set()
            assert go_on.wait(WAIT)
    monkeypatch.setattr(lifecycle, "_require_room_for_a_draft", counted_then_paused)
    with in_thread("first", lambda: first.start("personnel_unlock")) as one, \
            in_thread("second", lambda: (counted.wait(WAIT), second.start("commitment_entry",
                                                                          {"sections": ["finance"]}))[1]) as two:
        assert counted.wait(WAIT)
        time.sleep(0.5)  # the second start reaches the lock it waits for
        go_on.set()
    assert [one[0].status_code, two[0].status_code] == [201, 422], (one[0].json, two[0].json)
    assert two[0].json["code"] == "too_many_drafts"
    assert len(first.get("/api/v1/cases").json["items"]) == 1
