"""Page language: Chinese by default, English on request, through Flask-Babel.

The message ids are the Chinese texts themselves (the product's own language), with `{name}` placeholders
filled from keyword arguments; `app/web/translations/en/LC_MESSAGES/messages.po` holds the English of the
code's and templates' texts. `make i18n` extracts every id (babel.cfg: templates' `_()`, every Chinese
literal of the Python code, app/web/i18n_extract.py) and updates the catalogue; `make assets` compiles it.
The procedures carry their own English: a form's texts are errors.Bilingual (`title_en` ... beside the
Chinese, form_rendering.py), shown by their `.en`; the names of the deployed diagrams' procedure, steps,
lanes, events and gateways (stored in Chinese in task rows, case titles, history) are looked up in the
English their diagrams give them (`nameEn`, versions.english_names), once per request. Either falls back
to the catalogue, then to the Chinese.
Domain terms keep their Chinese names in English mode (the catalogue writes them "English (中文)").
The chosen language lives in a cookie of its own (LANGUAGE_COOKIE), not in Flask's session: an answer writes the
session cookie as its request found and changed it, so one to a request sent before the switch would write back a
session without the choice (app/sessions.py). The choice also outlives the session: the sign-in page after a
sign-out or a timeout stays in the user's language.
Messages that come from services are looked up too: refusals with a fixed text by that text, messages
built from values (errors.Message, e.g. form validation, the deploy checks' problems, the reasons a case cannot
migrate, a handler's refusal naming a person or a case) by their template, the names filled in as they are.
A message kept only as its Chinese text (an inbound message's stored result) is read back into its template
where the service knows the templates it may come from (errors.recovered); so is a text a case stores in Chinese
when it moves (its title, a ledger entry's reason, a lock's state: stored_texts.py), shown through `_()` (a case's
title) or `stored_text` (a text stored beside what people typed, shown whole when no template fits it).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import flask_babel
from flask import Blueprint, Flask, Response, current_app, g, has_request_context, redirect, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from app.engine.names import renamed
from app.errors import Message, bilingual_of
from app.extensions import babel
from app.services.procedures.versions import english_names
from app.web.redirects import safe_next
from app.web.stored_texts import readable

LANGUAGES = {"zh": "中文", "en": "English"}
HTML_LANG = {"zh": "zh-CN", "en": "en"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGE_COOKIE = "gjy_lang"
LANGUAGE_COOKIE_DAYS = 365
# Punctuation between texts of the page's language: Chinese marks are full width and carry their own spacing;
# English ones are ASCII and followed by a space (a "：" after an English label reads as a typo).
PUNCTUATION = {"zh": {"colon": "：", "semicolon": "；", "list": "、", "open": "（", "close": "）"},
               "en": {"colon": ": ", "semicolon": "; ", "list": ", ", "open": " (", "close": ")"}}

bp = Blueprint("i18n", __name__)


def current_language() -> str:
    if not has_request_context():
        return "zh"
    g.language_read = True  # the answer depends on the cookie (Vary, below)
    language = request.cookies.get(LANGUAGE_COOKIE)
    return language if language in LANGUAGES else "zh"


def gettext(text: str, **values: object) -> str:
    """The text in the page's language; a service's Message is looked up by its template."""
    if isinstance(text, Message):
        return (Message(text.template, **{**text.values, **values}) if values else text).translated(gettext)
    if current_language() == "zh":
        return text.format(**values) if values else text
    values = {k: gettext(v) if isinstance(v, Message) else v for k, v in values.items()}
    translated = getattr(text, "en", "") or _deployed_english(text) or (flask_babel.gettext(text) if text else text)
    if translated == text and isinstance(text, str):
        stored = text if values else readable(text)  # stored in Chinese from a template (a case's title, a reason)
        if isinstance(stored, Message):
            return stored.translated(gettext)
        if "：" in text:
            translated = _titled(text)
    return translated.format(**values) if values else translated


def _titled(text: str) -> str:
    """A case's title, "项目人员解锁：覃丽（…）", with its procedure's name in English before the names it
    holds (data, kept as they are); the text as it is when the part before "：" has no English."""
    head, rest = text.split("：", 1)
    english = _deployed_english(head) or flask_babel.gettext(head)
    return f"{english}: {rest}" if english != head else text


def diagram_xml(xml: str | None) -> str | None:
    """A diagram as the page draws it: in English pages its names are the English its elements carry
    (`nameEn`), else the deployed diagrams' or the catalogue's (a sequence flow's "同意"), else the Chinese."""
    if current_language() == "zh" or not xml:
        return xml
    return renamed(xml, lambda name, english: english or gettext(name))


def _deployed_english(text: str) -> str:
    """The English the deployed diagrams give a name (`nameEn`), or ""; several steps' names joined by "、"
    (a case's current steps) each in English."""
    if not text or not has_request_context():
        return ""
    names = g.get("english_names")
    if names is None:
        try:
            names = english_names()
        except SQLAlchemyError:  # a page about a failed database (503) is still drawn
            names = {}
        g.english_names = names
    if text in names:
        return str(names[text])
    parts = text.split("、") if "、" in text else []
    if parts and all(part in names for part in parts):
        return ", ".join(names[part] for part in parts)
    return ""


def stored_text(text: str) -> str:
    """A text stored in Chinese beside what people typed (a ledger entry's reason, a behaviour record's title) in the
    page's language: by the template it was built from (stored_texts), else the catalogue's English of a fixed text,
    else as stored, whole (a reason someone typed, data brought from elsewhere)."""
    if not text or current_language() == "zh":
        return text
    found = readable(text)
    return found.translated(gettext) if isinstance(found, Message) else flask_babel.gettext(text)


def text_of(node: Any, key: str, default: str = "") -> str:
    """A procedure's text (a form's `title`, with its `title_en`) in the page's language; `default` without one."""
    return gettext(bilingual_of(node, key) or default) if isinstance(node, dict) else default


def translate_problems(problems: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """The deploy checks' problems [{file, element, problem}] with each problem in the page's language (file
    and element are names, kept as they are)."""
    return [{**p, "problem": gettext(p["problem"]) if p.get("problem") else p.get("problem")}
            for p in problems or []]


def colon() -> str:
    """After a label: "办理时限：…", "Deadline: …"."""
    return PUNCTUATION[current_language()]["colon"]


def semicolon() -> str:
    """Between clauses: "抽查数量：3；实际抽取：2", "Sample size: 3; Drawn: 2"."""
    return PUNCTUATION[current_language()]["semicolon"]


def list_separator() -> str:
    """Between the items of a list: "甲、乙", "A, B"."""
    return PUNCTUATION[current_language()]["list"]


def parenthesized(text: object) -> Markup:
    """`text` in parentheses after what precedes it: "项目人员解锁（v1）", "Personnel unlock (v1)". Markup, so that
    a template's `{% filter parenthesized %}` block (escaped already) is not escaped twice; `text` is escaped."""
    marks = PUNCTUATION[current_language()]
    return Markup("{}{}{}").format(marks["open"], text, marks["close"])


def join_reasons(reasons: Iterable[str]) -> str:
    """Several reasons (a case that cannot migrate) as one text in the page's language."""
    return semicolon().join(gettext(reason) for reason in reasons)


def translate_errors(errors: Mapping[str, str] | None) -> dict[str, str]:
    """Per-field messages of a refused form, in the page's language."""
    return {key: gettext(message) for key, message in (errors or {}).items()}


@bp.get("/lang/<language>")
def switch(language: str) -> ResponseReturnValue:
    response = redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    if language in LANGUAGES:
        config = current_app.config
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_DAYS * 24 * 3600,
                            secure=config["SESSION_COOKIE_SECURE"], httponly=True,
                            samesite=config["SESSION_COOKIE_SAMESITE"])
    return response


@bp.after_app_request
def vary_by_language(response: Response) -> Response:
    """An answer drawn in the cookie's language is not one to share between users (caches key it by Cookie)."""
    if g.get("language_read"):
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=current_language, default_translation_directories=str(TRANSLATIONS))
    app.register_blueprint(bp)
    app.jinja_env.globals.update(_=gettext, text_of=text_of, stored_text=stored_text, current_language=current_language,
                                 LANGUAGES=LANGUAGES, html_lang=lambda: HTML_LANG[current_language()],
                                 colon=colon, semicolon=semicolon, list_separator=list_separator)
    app.jinja_env.filters.update(parenthesized=parenthesized)
