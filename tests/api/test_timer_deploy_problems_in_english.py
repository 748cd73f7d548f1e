"""A timer whose expression raises one of the runtime functions' own messages at deploy (add_working_days with too
many days) is refused with that message kept: in Chinese in `problem`, in English in `problem_en`, the numbers it
holds kept (app/engine/timer_check.py)."""
from __future__ import annotations

import re
from typing import Any

from tests.api.test_procedure_api import _deploy
from tests.engine.bundles import with_boundary_timer
from tests.support import procedures as review_support  # noqa: F401  (registers test.register_outcome)
from tests.support.procedure_files import review_files

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_a_timer_asking_too_many_working_days_is_refused_in_english_beside_the_chinese(as_user: Any) -> None:
    files = review_files(edit=with_boundary_timer("timeDate", "add_working_days(now(), 3000)"))
    refused = _deploy(as_user("analyst"), "material_review", files)
    assert refused.status_code == 422, refused.json
    problem = next(p for p in refused.json["details"]["problems"] if p["element"] == "review_overdue")
    assert "工作日数须在 0 至" in problem["problem"] and "3000" in problem["problem"], problem
    english = problem["problem_en"]
    assert english.startswith("The timeDate expression cannot be evaluated on sample data"), problem
    assert "The number of working days must be between 0 and" in english and "3000" in english, problem
    assert not CHINESE.search(english), problem
