"""Page language: Chinese by default, English on request, from a small catalog keyed by the Chinese text.

Templates call `_("中文")` (with `{name}` placeholders filled from keyword arguments). Domain terms keep
their Chinese names in English mode (the catalog writes them as "English (中文)" where useful).
Messages that come from services are looked up too: refusals with a fixed text by that text, messages
built from values (errors.Message, e.g. form validation) by their template; those without an entry, such
as a handler's refusal naming a person, stay Chinese.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from flask import Blueprint, Flask, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from app.errors import Message
from app.web.redirects import safe_next

LANGUAGES = {"zh": "中文", "en": "English"}
HTML_LANG = {"zh": "zh-CN", "en": "en"}
CATALOG_DIR = Path(__file__).resolve().parent / "translations"

bp = Blueprint("i18n", __name__)


@cache
def catalog(language: str) -> dict[str, str]:
    path = CATALOG_DIR / f"{language}.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def current_language() -> str:
    language = session.get("lang")
    return language if language in LANGUAGES else "zh"


def gettext(text: str, **values: object) -> str:
    """The text in the page's language; a service's Message is looked up by its template."""
    if isinstance(text, Message):
        values = {**text.values, **values}
        text = text.template
    language = current_language()
    if language == "zh":
        return text.format(**values) if values else text
    values = {k: gettext(v) if isinstance(v, Message) else v for k, v in values.items()}
    translated = catalog(language).get(text, text)
    return translated.format(**values) if values else translated


def translate_errors(errors: Mapping[str, str] | None) -> dict[str, str]:
    """Per-field messages of a refused form, in the page's language."""
    return {key: gettext(message) for key, message in (errors or {}).items()}


@bp.get("/lang/<language>")
def switch(language: str) -> ResponseReturnValue:
    if language in LANGUAGES:
        session["lang"] = language
    return redirect(safe_next(request.args.get("next")) or url_for("home.index"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(_=gettext, current_language=current_language, LANGUAGES=LANGUAGES,
                                 html_lang=lambda: HTML_LANG[current_language()])
