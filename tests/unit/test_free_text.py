"""Which fields are free text (masked when others read them) and which hold codes (a permit number has 18 digits,
as an ID number has: never masked); in free text only numbers that are resident ID numbers (their check character
holds) are masked, not a permit number written in a comment."""
from __future__ import annotations

from app.services.cases.free_text import free_text_keys, is_free_text, masked_free_text

PERMIT = "450103202512100301"


def test_prose_fields_are_free_text_and_codes_and_choices_are_not() -> None:
    assert is_free_text({"type": "string", "x-widget": "textarea", "maxLength": 2000})
    assert is_free_text({"type": "string", "maxLength": 500})  # a note (核查情况说明, a row's 审核意见)
    assert is_free_text({"type": ["string", "null"], "maxLength": 4000})  # a message's description
    assert not is_free_text({"type": "string", "maxLength": 40})  # 施工许可证号
    assert not is_free_text({"type": "string", "format": "date", "x-widget": "textarea"})
    assert not is_free_text({"type": "string", "x-widget": "textarea", "oneOf": [{"const": "a"}]})
    assert not is_free_text({"type": "string", "x-choices": "unlock.locked_persons", "maxLength": 500})


def test_only_the_free_text_fields_are_masked_at_any_depth() -> None:
    schema = {"properties": {
        "reason": {"type": "string", "x-widget": "textarea"}, "permit_number": {"type": "string", "maxLength": 40},
        "reviews": {"type": "array", "items": {"type": "object", "properties": {
            "comment": {"type": "string", "maxLength": 500}}}}}}
    keys = free_text_keys(schema)
    assert keys == {"reason", "comment"}
    data = {"reason": f"许可证{PERMIT}，电话13907715678", "permit_number": PERMIT,
            "reviews": [{"comment": "身份证450103199007220022"}],
            "changes": {"reason": {"old": "13907715678", "new": "无"}}}
    assert masked_free_text(data, keys) == {
        # a permit number written in prose is no ID number (its check character does not hold): left as written
        "reason": f"许可证{PERMIT}，电话139****5678", "permit_number": PERMIT,
        "reviews": [{"comment": "身份证4501**********0022"}],
        "changes": {"reason": {"old": "139****5678", "new": "无"}}}
