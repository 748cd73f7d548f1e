"""Credit codes (GB 32100-2015), ID numbers (GB 11643) and masking of personal data in logs."""
from __future__ import annotations

import logging

import pytest

from app.log_masking import PersonalDataFilter, mask_text
from app.services.records.identifiers import is_valid_credit_code, is_valid_id_number, mask_id_number, mask_phone


@pytest.mark.parametrize("code, valid", [
    ("91350100M000100Y43", True),     # a published example of a valid code
    ("91350100M000100Y44", False),    # wrong check character
    ("9135010OM000100Y43", False),    # the letter O is not in the alphabet
    ("91350100M000100Y4", False),     # too short
])
def test_credit_codes(code: str, valid: bool) -> None:
    assert is_valid_credit_code(code) is valid


@pytest.mark.parametrize("number, valid", [
    ("11010519491231002X", True),     # the standard's own example
    ("110105194912310021", False),
    ("11010519491231002", False),
])
def test_id_numbers(number: str, valid: bool) -> None:
    assert is_valid_id_number(number) is valid


def test_masking_for_pages_and_api() -> None:
    assert mask_id_number("450102198503150012") == "4501**********0012"
    assert mask_phone("13907711234") == "139****1234"


def test_log_records_never_carry_full_id_numbers_or_phones(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("gjy.test.masking")
    logger.addFilter(PersonalDataFilter())
    with caplog.at_level(logging.INFO, logger="gjy.test.masking"):
        logger.info("申请人 %s 手机 %s", "450102198503150012", "13907711234")
    assert caplog.messages == ["申请人 4501**********0012 手机 139****1234"]
    assert mask_text("编号 JS-2026-000123") == "编号 JS-2026-000123"
