"""The header at a desktop width: every role's menu and the signed-in line fit one row at 1366 px."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]


@pytest.mark.parametrize("username", ["province", "admin", "ent-nanning", "city-nanning"])
def test_the_header_does_not_wrap_at_1366(new_page: Callable[..., Any], username: str) -> None:
    page = new_page(width=1366, height=900)
    sign_in(page, username)
    bar, link, who = page.evaluate("""() => [document.querySelector('.nav-bar').getBoundingClientRect().height,
      document.querySelector('.nav-bar .nav-link').getBoundingClientRect().height,
      new Set([...document.querySelectorAll('[data-testid=who] > span:not(.sep)')]
        .map(el => Math.round(el.getBoundingClientRect().top))).size]""")
    assert bar < 1.5 * link + 12, f"{username}: the menu bar is {bar}px high, more than one row of {link}px links"
    assert who == 1, f"{username}: the signed-in line wraps"
