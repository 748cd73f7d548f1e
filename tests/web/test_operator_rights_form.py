"""经办人管理: the add form refused (a weak password) keeps the procedures ticked, so that correcting the password
does not create an operator of every procedure; no box ticked means every procedure, and the page says so where
the main operator decides it (the form, the saved message, the operator's row)."""
from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.identity.accounts import get_user_by_username
from tests.support.web import WebUser


def _checked(html: str, box_id: str) -> bool:
    found = re.search(rf'<input[^>]*id="{box_id}"[^>]*>', html)
    assert found, box_id
    return " checked" in found.group(0)


def _row(html: str, username: str) -> str:
    return html.split(f'data-username="{username}"')[1].split("</tr>")[0]


def _rights_said(html: str, username: str) -> str:
    """What the operator's row says of his rights beside the boxes ("" when it says nothing)."""
    found = re.search(r'data-testid="rights-every">([^<]*)<', _row(html, username))
    return found.group(1) if found else ""


def _flash(html: str) -> str:
    return " ".join(re.findall(r'role="alert">([^<]*)<', html))


def test_a_refused_new_operator_keeps_the_procedures_ticked(app: Flask) -> None:
    main = WebUser(app, "ent-nanning").login()
    form = {"username": "op-unlock", "display_name": "解锁专员", "phone": "13907710001",
            "procedures": ["personnel_unlock"]}
    refused = main.post("/enterprise/operators", {**form, "password": "weak"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'value="op-unlock"' in html and 'value="13907710001"' in html
    assert _checked(html, "new-personnel_unlock")
    assert not _checked(html, "new-personnel_deregistration")
    # What the browser sends again: the fields as the refused page kept them, the password corrected
    kept = ["personnel_unlock"] if _checked(html, "new-personnel_unlock") else []
    added = main.post("/enterprise/operators", {**form, "procedures": kept, "password": "Temp-Passw0rd!9"})
    assert added.status_code == 302, added.get_data(as_text=True)
    with app.app_context():
        assert get_user_by_username("op-unlock").allowed_procedures == ["personnel_unlock"]


def test_a_refused_form_without_ticks_keeps_none_ticked(app: Flask) -> None:
    main = WebUser(app, "ent-nanning").login()
    html = main.post("/enterprise/operators", {"username": "op-all", "display_name": "全能专员",
                                               "phone": "13907710002", "password": "weak"}).get_data(as_text=True)
    assert not _checked(html, "new-personnel_unlock")
    assert "不勾选：全部" in html


def test_no_box_ticked_means_every_procedure_and_the_page_says_so(app: Flask) -> None:
    main = WebUser(app, "ent-nanning").login()
    added = main.post("/enterprise/operators", {"username": "op-any", "display_name": "覃全部",
                                                "phone": "13907710003", "password": "Temp-Passw0rd!9"},
                      follow_redirects=True)
    html = added.get_data(as_text=True)
    assert "可办理全部事项" in _flash(html)
    assert _rights_said(html, "op-any") == "可办理全部事项"
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "op-any"))
        assert db.session.get(User, user_id).allowed_procedures is None  # type: ignore[union-attr]
    limited = main.post(f"/enterprise/operators/{user_id}/rights", {"procedures": ["personnel_unlock"]},
                        follow_redirects=True).get_data(as_text=True)
    assert "可办理全部事项" not in _flash(limited) and _rights_said(limited, "op-any") == ""
    assert _checked(limited, f"r-{user_id}-personnel_unlock")
    # Unticking every box is not "none": the operator may start every procedure again, said where it is saved
    unticked = main.post(f"/enterprise/operators/{user_id}/rights", {}, follow_redirects=True).get_data(as_text=True)
    assert "可办理全部事项" in _flash(unticked) and _rights_said(unticked, "op-any") == "可办理全部事项"
    with app.app_context():
        assert db.session.get(User, user_id).allowed_procedures is None  # type: ignore[union-attr]
    main.get("/lang/en")
    english = main.html("/enterprise/operators")
    assert _rights_said(english, "op-any") == "Every procedure"
