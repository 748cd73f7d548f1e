"""English pages translate what the procedures carry too: the step's title, the procedure's name and the
form's labels, choices and help come from the catalogue (the shipped diagrams and forms are extracted into
it); only data stays Chinese. The identity pages are English as well."""
from __future__ import annotations

import re
from collections.abc import Callable

from tests.support.web import WebUser

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
