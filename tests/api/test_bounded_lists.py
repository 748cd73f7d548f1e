"""Lists in submitted data are bounded: a form's own maxItems is checked before the schema validator walks
the list (20,000 lock ids took 12 s and 100,000 killed a worker), and any list longer than 500 items is
refused wherever it appears."""
from __future__ import annotations

from typing import Any

from tests.procedures.steps import act, field_errors
from tests.procedures.test_personnel_unlock import _lock_ids, _request, _start


def test_twenty_thousand_lock_ids_are_refused_on_the_field(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    lock = _lock_ids(app)["陆伟"]
    case_id = _start(ent)
    errors = field_errors(act(ent, case_id, _request(ent, case_id, "duty_change", [lock] * 20_000)))
    assert errors["lock_ids"] == "一次最多申请解锁 50 人"
    assert city.task_for(case_id) is None


def test_a_long_list_anywhere_in_the_data_is_refused(as_user: Any, app: Any) -> None:
    ent = as_user("ent-nanning")
    lock = _lock_ids(app)["陆伟"]
    case_id = _start(ent)
    errors = field_errors(act(ent, case_id, _request(ent, case_id, "duty_change", [lock],
                                                     reason=[["项目已竣工"]] * 600)))
    assert errors["reason"] == "最多 500 项"
