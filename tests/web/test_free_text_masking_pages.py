"""The pages mask ID numbers and phones written in free text, as they mask those in ID-number and phone fields: the
enterprise's 申请理由 and the reviewer's 审核意见 on the case page (提交内容 and 当前办件信息), a comment in the
timeline for all but its writer, and the reviewer's comment in the enterprise's 消息提醒."""
from __future__ import annotations

from typing import Any

from flask import Flask

from tests.api.test_free_text_masking import COMMENT, ENT_COMMENT, ID_NUMBER, PHONE, REVIEWER_ID, _returned_unlock
from tests.support.web import WebUser


def test_the_city_s_case_page_shows_the_enterprise_s_free_text_masked(as_user: Any, app: Flask) -> None:
    case_id = _returned_unlock(app, as_user("ent-nanning"), as_user("city-nanning"))
    page = WebUser(app, "city-nanning").login().html(f"/cases/{case_id}")
    assert PHONE not in page and ID_NUMBER not in page and REVIEWER_ID not in page and "0771-0101" not in page
    assert "联系电话139****5678，身份证4501**********0022" in page  # 申请理由, as submitted and as it stands
    assert "如有疑问请致电 139****0101（4501**********0022）" in page  # the enterprise's comment
    assert "请核对人员身份证4501**********0018的处罚决定书" in page  # 审核意见 (free text: masked on every page)


def test_the_writer_reads_his_comment_whole_and_the_enterprise_its_notice_masked(as_user: Any, app: Flask) -> None:
    case_id = _returned_unlock(app, as_user("ent-nanning"), as_user("city-nanning"))
    ent = WebUser(app, "ent-nanning").login()
    assert ENT_COMMENT in ent.html(f"/cases/{case_id}")
    notices = ent.html("/notifications")
    assert REVIEWER_ID not in notices and COMMENT not in notices
    assert "请核对人员身份证4501**********0018的处罚决定书" in notices


def test_a_permit_number_in_a_comment_is_shown_to_the_reviewer(app: Flask, as_user: Any) -> None:
    """It has 18 digits as an ID number has, and was masked from the reviewer who needs it (4502**********0101)."""
    case_id = _returned_unlock(app, as_user("ent-nanning"), as_user("city-nanning"))
    writer = WebUser(app, "ent-nanning").login()
    assert writer.post(f"/cases/{case_id}/comments", {"comment": "施工许可证号450200202403150101"}).status_code == 302
    page = WebUser(app, "city-nanning").login().html(f"/cases/{case_id}")
    assert "施工许可证号450200202403150101" in page
    assert ID_NUMBER not in page  # the ID number in the same case's texts still masked
