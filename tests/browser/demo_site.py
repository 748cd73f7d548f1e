"""The demo site the documentation's images are taken from (tests.browser.guide_images, walkthrough_images).

The app runs on a fresh SQLite database (migrated, demo data, the shipped procedures) served by werkzeug in a
thread; chromium (Playwright, /usr/bin/chromium) drives it. `take_images` does the plumbing: it builds and serves
the app, hands a walk a `Site` (the app, the folder, fresh browser pages, each with its own cookies), fails on an
error in a page and prints what was written. Images are reduced to a palette of colours and compressed (Pillow)
so that the docs' images stay small in git.
"""
from __future__ import annotations

import io
import logging
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.db import unit_of_work
from app.extensions import db
from app.services.demo import seed_demo
from app.services.procedures.versions import deploy_procedures
from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS
from tests.support.translations import compile_english

ROOT = Path(__file__).resolve().parents[2]
COLOURS = 128  # a page of text, lines and a few tints keeps its look with a palette this size
SETTLE = "async () => { await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))); }"


def _config(tmp: Path) -> dict[str, Any]:
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'guide.sqlite3'}", "UPLOAD_DIR": str(tmp / "uploads"),
            "SECRET_KEY": "guide-images", "DATA_KEY": "Z3VpZGUtaW1hZ2VzLWRhdGEta2V5LS0tLS0tLS0tLS0=",
            "DEMO": True, "WORKER": "off", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
            "SMS_GATEWAY": "memory", "BPMN_DIR": str(ROOT / "bpmn"), "FORMS_DIR": str(ROOT / "forms")}


def build_app(tmp: Path) -> Flask:
    """The app on a database of its own: migrated, with the demo data and the shipped procedures."""
    app = create_app(_config(tmp))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        with unit_of_work():
            seed_demo()
            deploy_procedures(ROOT / "bpmn", ROOT / "forms", deployed_by="guide")
    return app


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def compress(png: bytes, width: int) -> bytes:
    """The PNG at most `width` pixels wide, with a palette."""
    from PIL import Image  # Pillow comes with weasyprint (the case documents)

    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
    reduced = image.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    reduced.save(out, format="PNG", optimize=True)
    return out.getvalue()


def screenshot(page: Any, **options: Any) -> bytes:
    """The page once its transitions have finished, without the caret."""
    page.evaluate(SETTLE)
    return bytes(page.screenshot(animations="disabled", caret="hide", **options))


@dataclass
class Site:
    """What a walk gets: the app (for set-up through the services), the folder and a page per person."""
    app: Flask
    folder: Path
    _context: Callable[[], Any]
    errors: list[str] = field(default_factory=list)

    def new_page(self) -> Any:
        """A page in a browser context of its own (its own cookies: one person signed in)."""
        page = self._context().new_page()
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        return page


def take_images(folder: Path, walk: Callable[[Site], list[Path]], width: int, height: int) -> int:
    """Serve a fresh demo site, walk it in chromium (viewport `width` x `height`), report the images: exit code."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request of the pages
    folder.mkdir(parents=True, exist_ok=True)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    compile_english()
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        with serving(app) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)

            def context() -> Any:
                made = browser.new_context(base_url=url, viewport={"width": width, "height": height}, locale="zh-CN")
                made.set_default_timeout(20_000)
                return made
            site = Site(app, folder, context)
            try:
                images = walk(site)
            finally:
                browser.close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if site.errors:
        print("errors in the pages:", *site.errors, sep="\n", file=sys.stderr)
        return 1
    for image in images:
        print(f"{image.relative_to(ROOT) if image.is_relative_to(ROOT) else image}  {image.stat().st_size // 1024} KB")
    print(f"total {sum(i.stat().st_size for i in images) // 1024} KB")
    return 0
