"""Timer expressions are evaluated at deploy on sample data: what the runtime cannot schedule is refused,
naming the element, in Chinese; what it can deploys."""
from __future__ import annotations

import json
import re

import pytest

from app.engine import build_bundles
from app.errors import DeployError
from tests.engine.bundles import FUNCTIONS, bundle_input, with_boundary_timer

REFUSED = {
    "naive date-time": ("timeDate", '"2026-12-31T17:00:00"', "缺少时区偏移"),
    "week date": ("timeDate", '"2026-W50-1"', "周日期"),
    "week date with offset": ("timeDate", '"2026-W50-1T09:00:00+08:00"', "周日期"),
    "date only": ("timeDate", '"2026-12-31"', "缺少时区偏移"),
    "duration as date": ("timeDate", '"P3D"', "timeDuration"),
    "not a string": ("timeDate", "now", "ISO 8601 字符串"),
    "unknown variable": ("timeDate", "review_deadline", "timeDate 表达式读取了未知的名称 'review_deadline'"),
    "raises": ("timeDate", "end_of_day(amount)", "无法求值"),
    "division by zero": ("timeDuration", '"P%dD" % (1 / 0)', "ZeroDivisionError"),
    "unparsable duration": ("timeDuration", '"PX"', "无法识别的时长"),
    "words for a duration": ("timeDuration", '"3 days"', "无法识别的时长"),
    "huge duration": ("timeDuration", '"P99999999Y"', "超过 100 年"),
    "endless cycle": ("timeCycle", '"R/PT1H"', "不支持无限重复"),
    "zero period": ("timeCycle", '"R3/PT0S"', "大于零"),
    "naive cycle start": ("timeCycle", '"R3/2026-12-01T09:00:00/P1D"', "缺少时区偏移"),
    "unquoted naive literal": ("timeDate", "2026-12-31T17:00:00", '写成 "2026-12-31T17:00:00+08:00"'),
    "unquoted duration literal": ("timeDuration", "P3D", '写成 "P3D"'),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_timer_the_runtime_cannot_schedule_is_refused_naming_the_element(case: str) -> None:
    tag, expression, words = REFUSED[case]
    with pytest.raises(DeployError) as refused:
        build_bundles(bundle_input(with_boundary_timer(tag, expression), script_functions=FUNCTIONS))
    problems = refused.value.problems
    assert [(p["file"], p["element"]) for p in problems] == [("material_review.bpmn", "review_overdue")], problems
    assert words in str(problems[0]["problem"]), problems


EMPTY = "定时器表达式为空：请填写定时表达式"


@pytest.mark.parametrize(("definition", "words"), [
    ('<bpmn:timerEventDefinition id="review_overdue_timer"/>',
     "无法识别的定时器设置：须为 timeDate、timeDuration 或 timeCycle"),
    ('<bpmn:timerEventDefinition id="review_overdue_timer"><bpmn:timeDate></bpmn:timeDate></bpmn:timerEventDefinition>',
     EMPTY),
    ('<bpmn:timerEventDefinition id="review_overdue_timer"><bpmn:timeDuration>  </bpmn:timeDuration>'
     '</bpmn:timerEventDefinition>', EMPTY)], ids=["no timer kind chosen", "empty date", "blank duration"])
def test_a_timer_without_an_expression_is_a_problem_of_its_element(definition: str, words: str) -> None:
    """The modeler makes such a timer when its expression is cleared: the check answered 500 (and the page then
    said there was no problem)."""
    add = with_boundary_timer("timeDate", '"2026-12-31T17:00:00+08:00"')

    def edit(text: str) -> str:
        return re.sub(r'<bpmn:timerEventDefinition id="review_overdue_timer">.*?</bpmn:timerEventDefinition>',
                      definition, add(text), flags=re.S)
    with pytest.raises(DeployError) as refused:
        build_bundles(bundle_input(edit, script_functions=FUNCTIONS))
    problems = refused.value.problems
    assert [p["element"] for p in problems] == ["review_overdue"] and words in str(problems[0]["problem"])


def test_a_cycle_is_refused_where_it_would_repeat_the_flow() -> None:
    with pytest.raises(DeployError, match="非中断边界事件"):
        build_bundles(bundle_input(with_boundary_timer("timeCycle", '"R3/PT1H"', interrupting=True),
                                   script_functions=FUNCTIONS))


def test_the_unquoted_literal_message_names_a_value_that_deploys() -> None:
    """The fix the message suggests is itself accepted (it used to suggest a naive date, refused next)."""
    with pytest.raises(DeployError) as refused:
        build_bundles(bundle_input(with_boundary_timer("timeDate", "2026-12-31T17:00:00"), script_functions=FUNCTIONS))
    suggested = str(refused.value.problems[0]["problem"]).split("写成 ")[1]
    assert build_bundles(bundle_input(with_boundary_timer("timeDate", suggested), script_functions=FUNCTIONS))


ACCEPTED = [
    ("timeDate", '"2026-12-31T17:00:00+08:00"'),
    ("timeDate", '"2026-12-31T09:00:00Z"'),
    ("timeDate", 'end_of_day("2026-12-31")'),
    ("timeDate", "add_working_days(now(), 3)"),
    ("timeDate", 'add_working_days(now(), 3)[:10] + "T09:00:00+08:00"'),
    ("timeDate", "end_of_day(delivery_date)"),  # a date field of the form below
    ("timeDate", "review_due"),  # computed by the diagram's first script
    ("timeDate", 'registration["due"]'),  # a handler's result: checked when a case reaches it
    ("timeDate", "moved_due"),  # set by a script that needs data the samples lack: checked at run time
    ("timeDuration", '"P3D"'),
    ("timeDuration", '"PT72H"'),
    ("timeDuration", '"P1Y2M"'),
    ("timeDuration", '"PT%dH" % (amount * 24)'),  # an integer field
    ("timeCycle", '"R3/PT1H"'),
    ("timeCycle", '"R2/2026-12-01T09:00:00+08:00/P1D"'),
]


@pytest.mark.parametrize("tag, expression", ACCEPTED)
def test_a_timer_the_runtime_can_schedule_deploys(tag: str, expression: str) -> None:
    def edit(text: str) -> str:
        text = text.replace("<bpmn:script>round_no = 0</bpmn:script>",
                            "<bpmn:script>round_no = 0\nreview_due = end_of_day(\"2026-12-31\")</bpmn:script>")
        text = text.replace('label = "第%d轮" % round_no',
                            'label = "第%d轮" % round_no\nmoved_due = registration["due"]')
        return with_boundary_timer(tag, expression)(text)
    inp = bundle_input(edit, script_functions=FUNCTIONS)
    form = json.loads(inp.forms["review_submit.json"])
    form["properties"]["delivery_date"] = {"type": "string", "format": "date", "title": "交付日期"}
    inp.forms["review_submit.json"] = json.dumps(form, ensure_ascii=False)
    (bundle,) = build_bundles(inp)
    assert bundle.key == "material_review"


def test_without_the_runtimes_functions_a_timer_calling_one_is_refused() -> None:
    with pytest.raises(DeployError, match="读取了未知的名称 'add_working_days'"):
        build_bundles(bundle_input(with_boundary_timer("timeDate", "add_working_days(now(), 3)")))
