"""The English of a service's message for API answers: the API speaks Chinese (its `problem`, `message`), and
the problems of a deploy check or an import report carry their English beside it (`problem_en`), looked up in
the pages' catalogue (app/web/translations) by the message's template, as the English pages show it."""
from __future__ import annotations

import flask_babel

from app.errors import Message


def english(text: str | None) -> str | None:
    """`text` in English: a Message by its template (its values that are Messages too), another text as it is
    catalogued; the text itself where the catalogue has no English for it."""
    if not text:
        return text
    return text.translated(_catalogued) if isinstance(text, Message) else _catalogued(text)


def _catalogued(text: str) -> str:
    with flask_babel.force_locale("en"):
        return str(flask_babel.gettext(text))
