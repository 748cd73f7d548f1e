"""Limits in words, as the 受理通知书, the 补正告知书 and the applicant's notice print them: an ISO duration is said
from its own length (it was printed "0 日"), and a wall-clock limit is not "counted from the day after receipt"."""
from __future__ import annotations

from app.services.deadlines.limits import limit_words, parse_limit
from app.services.documents.issue import counting_words
from app.services.notifications_applicant import _english_limit


def _words(text: str) -> str:
    limit = parse_limit(text)
    assert limit is not None
    return limit_words(limit)


def test_limits_in_words() -> None:
    assert _words("10 working days") == "10 个工作日"
    assert _words("5 calendar days") == "5 日"
    assert _words("P5D") == "5 日"
    assert _words("PT120H") == "120 小时"
    assert _words("P1DT2H") == "26 小时"
    assert _words("PT90M") == "90 分钟"


def test_a_wall_clock_limit_is_counted_from_the_moment_of_receipt() -> None:
    day_limits = [parse_limit("20 working days"), parse_limit("5 calendar days")]
    assert counting_words([x for x in day_limits if x]) == "自受理之次日起计算"
    assert counting_words([x for x in [parse_limit("PT120H")] if x]) == "自受理时起连续计算"
    mixed = [x for x in (parse_limit("20 working days"), parse_limit("PT120H")) if x]
    assert counting_words(mixed) == "按日计的时限自受理之次日起计算，按小时计的时限自受理时起连续计算"


def test_the_english_notice_says_hours_and_minutes() -> None:
    assert _english_limit("10 个工作日") == "10 working days"
    assert _english_limit("5 日") == "5 days"
    assert _english_limit("120 小时") == "120 hours"
    assert _english_limit("90 分钟") == "90 minutes"
