"""English pages translate what the procedures carry too: the step's title, the procedure's name and the
form's labels, choices, help and messages come from the procedure's own files (a diagram element's `nameEn`,
a form's `title_en` ... beside the Chinese), whether shipped or made by an analyst; only data stays Chinese.
The identity pages are English as well."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import flask_babel
import pytest

from tests.support.web import WebUser

ROOT = Path(__file__).resolve().parents[2]

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _texts(html: str, tag: str) -> list[str]:
    """The visible text of each element `tag` of the page's main part, tags stripped."""
    main = html.split("<main", 1)[1]
    return [re.sub(r"<[^>]+>", "", inner).strip() for inner in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", main, re.S)]


def _chinese_outside_domain_terms(text: str) -> bool:
    """Chinese left once the domain terms the catalogue keeps in brackets, "English (中文)", are removed."""
    return bool(_CHINESE.search(re.sub(r"[(（][^()（）]*[)）]", "", text)))


def test_the_unlock_request_form_is_english_but_for_the_data(web: Callable[[str], WebUser]) -> None:
    ent = web("ent-nanning")
    ent.get("/lang/en")
    started = ent.post("/cases/start/personnel_unlock", {})
    assert started.status_code == 302
    page = ent.html(started.headers["Location"])
    assert "<h1 class=\"h3 mb-1\">Fill in the unlock request</h1>" in page
    case_page = ent.html(re.search(r'href="(/cases/\d+)"', page).group(1))  # type: ignore[union-attr]
    assert "Personnel unlock (项目人员解锁)" in case_page
    # the fields' own labels (a checkbox's label is a choice: a person, data)
    labels = [re.sub(r"<[^>]+>", "", inner).strip() for inner in re.findall(
        r'<(?:label|legend) class="form-label[^"]*"[^>]*>(.*?)</(?:label|legend)>', page, re.S)]
    assert "Unlock kind * (required)" in labels and "Reason * (required)" in labels, labels
    assert [text for text in labels if _chinese_outside_domain_terms(text)] == []
    kinds = re.search(r'<select[^>]*name="kind".*?</select>', page, re.S).group(0)  # type: ignore[union-attr]
    assert "Temporary unlock (临时解锁)" in kinds and "Unlock after completion acceptance (竣工验收)" in kinds


def test_the_accounts_and_token_pages_are_english(web: Callable[[str], WebUser]) -> None:
    admin = web("admin")
    admin.get("/lang/en")
    pages = (("/admin/accounts", "Authority and platform accounts"), ("/account/tokens", "My access tokens"))
    for path, words in pages:
        page = admin.html(path)
        assert words in page, path
        headings = _texts(page, "h1") + _texts(page, "th") + _texts(page, "label") + _texts(page, "button")
        assert [text for text in headings if _chinese_outside_domain_terms(text)] == [], path
    # the column says when a token was made, the button makes one: one word in Chinese, two in English
    buttons = _texts(admin.html("/account/tokens"), "button")
    assert "Create token" in buttons and "Created" not in buttons


def _start(ent: WebUser) -> tuple[int, str]:
    """Start an unlock case; (case id, the applicant's task path)."""
    started = ent.post("/cases/start/personnel_unlock", {})
    assert started.status_code == 302
    page = ent.html(started.headers["Location"])
    return int(re.search(r'href="/cases/(\d+)"', page).group(1)), started.headers["Location"]  # type: ignore[union-attr]


def _errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-field-error="([^"]+)">([^<]+)<', html))


def test_the_unlock_procedure_speaks_the_english_its_files_carry(web: Callable[[str], WebUser],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """With the catalogue left out (it answers every text in Chinese), the procedure's own texts are still
    English: the step, the procedure, the lane (bpmn/personnel_unlock.bpmn's `nameEn`), the form's title,
    help, labels, choices and messages (forms/unlock_request.json's `title_en` ...)."""
    monkeypatch.setattr(flask_babel, "gettext", lambda text, **values: text)
    ent = web("ent-nanning")
    ent.get("/lang/en")
    case_id, task_path = _start(ent)
    page = ent.html(task_path)
    assert '<h1 class="h3 mb-1">Fill in the unlock request</h1>' in page
    assert "Materials per unlock kind: change of duty" in page  # the form's description
    assert "Unlock kind" in page and "Reason" in page and "Persons to unlock" in page
    kinds = re.search(r'<select[^>]*name="kind".*?</select>', page, re.S).group(0)  # type: ignore[union-attr]
    assert "Temporary unlock (临时解锁)" in kinds and "临时解锁</option>" not in kinds
    refused = ent.post(task_path, {"kind": "temporary", "reason": "有足够长的理由"})
    assert refused.status_code == 422
    errors = _errors(refused.get_data(as_text=True))
    assert errors["temporary_end_date"] == "A temporary unlock needs an end date", errors
    assert errors["application_files"] == "Upload the scanned unlock application form (解锁申请表)", errors
    case_page = ent.html(f"/cases/{case_id}")
    assert '<h1 class="h3 mb-1">Personnel unlock (项目人员解锁)</h1>' in case_page
    assert "· Fill in the unlock request" in case_page  # the history's step
    assert "Applicant enterprise" in case_page  # the open step's lane
    ent.get("/lang/zh")
    chinese = ent.html(task_path)
    assert '<h1 class="h3 mb-1">填写解锁申请</h1>' in chinese and "临时解锁</option>" in chinese
    assert '<h1 class="h3 mb-1">项目人员解锁</h1>' in ent.html(f"/cases/{case_id}")


def test_an_analysts_english_texts_show_in_the_english_pages(web: Callable[[str], WebUser]) -> None:
    """A draft saved with English beside its Chinese (the modeler's `nameEn`, the form editor's `title_en` ...)
    and deployed: its English pages show that English, its Chinese pages the Chinese; no catalogue entry."""
    analyst = web("analyst")
    created = analyst.post("/workspace/personnel_unlock/drafts", {"version": "1", "title": "英文名称"})
    path = created.headers["Location"]
    xml = json.loads(analyst.html(path).split('id="modeler-data">')[1].split("</script>")[0])["xml"]
    xml = xml.replace('name="填写解锁申请"', 'name="撰写解锁申请"').replace(
        'name="nameEn" value="Fill in the unlock request"', 'name="nameEn" value="Write the unlock request"')
    assert "Write the unlock request" in xml
    form = json.loads((ROOT / "forms/unlock_request.json").read_text(encoding="utf-8"))
    reason = form["properties"]["reason"]
    reason.update({"title": "解锁的理由", "title_en": "Why unlock",
                   "x-messages": {"minLength": "理由至少五个字"},
                   "x-messages_en": {"minLength": "Say why in five characters"}})
    form["properties"]["kind"]["oneOf"][3].update(title="短期解锁", title_en="Short-term unlock")
    saved = analyst.client.post(f"{path}/files", headers={"X-CSRFToken": analyst.token}, json={"files": {
        "bpmn/personnel_unlock.bpmn": xml, "forms/unlock_request.json": json.dumps(form, ensure_ascii=False)}})
    assert saved.status_code == 200, saved.json
    deployed = analyst.post(f"{path}/deploy", {"note": "英文名称"}, follow_redirects=True)
    assert "已部署为版本 2" in deployed.get_data(as_text=True)

    ent = web("ent-nanning")
    ent.get("/lang/en")
    _case_id, task_path = _start(ent)
    page = ent.html(task_path)
    assert '<h1 class="h3 mb-1">Write the unlock request</h1>' in page
    assert "Why unlock" in page and "Short-term unlock</option>" in page
    refused = ent.post(task_path, {"kind": "duty_change", "reason": "短"})
    assert _errors(refused.get_data(as_text=True))["reason"] == "Say why in five characters"
    ent.get("/lang/zh")
    page = ent.html(task_path)
    assert '<h1 class="h3 mb-1">撰写解锁申请</h1>' in page
    assert "解锁的理由" in page and "短期解锁</option>" in page and "Why unlock" not in page
    refused = ent.post(task_path, {"kind": "duty_change", "reason": "短"})
    assert _errors(refused.get_data(as_text=True))["reason"] == "理由至少五个字"
