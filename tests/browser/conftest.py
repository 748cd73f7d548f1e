"""Browser tests: the app served by werkzeug in a thread, driven by Debian's chromium through Playwright.

They skip with the reason where /usr/bin/chromium or the npm assets (`make assets`) are missing, except
when GJY_REQUIRE_BROWSER=1 (CI), where a missing piece fails the run. They run on SQLite only (each test
module parametrizes `template_database` with "sqlite"): the PostgreSQL half of the suite covers the
same services.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import ROOT, require_committing

CHROMIUM = Path(os.environ.get("GJY_CHROMIUM", "/usr/bin/chromium"))
VENDOR = ROOT / "app" / "web" / "static" / "vendor"
AXE = VENDOR / "axe-core" / "axe.min.js"
ASSETS = [VENDOR / "bootstrap" / "bootstrap.min.css", VENDOR / "bpmn-js" / "bpmn-navigated-viewer.production.min.js",
          AXE]
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
    absent = [str(p.relative_to(ROOT)) for p in ASSETS if not p.exists()]
    if absent:
        return f"npm assets are missing ({', '.join(absent)}): run `make assets`"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="session")
def browser_ready() -> None:
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("GJY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"GJY_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"browser test skipped: {reason}")


@pytest.fixture
def live_server(request: pytest.FixtureRequest, browser_ready: None, app: Flask) -> Iterator[str]:
    require_committing(request, "live_server (requests on threads of its own)")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium(browser_ready: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium: Any, live_server: str) -> Iterator[Callable[[], Any]]:
    """new_page() -> a page in a fresh browser context (its own cookies), at tablet-or-larger size."""
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 900) -> Any:
        context = chromium.new_context(base_url=live_server, viewport={"width": width, "height": height},
                                       locale="zh-CN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()
    yield make
    for context in contexts:
        context.close()
