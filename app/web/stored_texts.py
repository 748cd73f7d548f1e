"""Texts stored in Chinese when a case moves, read back into their templates for the English pages.

A handler or a service writes some texts into a column or the case data as their Chinese (a case's title, a lock's
state, a ledger entry's reason, a decision's outcome, a redeploy's note): the API answers them and the other systems
read them as they are. Each is built from a template registered in app.services.stored_texts (a Chinese message id of
the catalogue: the services' own and the procedures', which handlers/ registers), and `readable` reads a stored text
back into its errors.Message by them (errors.recovered), so that `i18n.gettext`, which asks here for a text the
catalogue does not have, shows it in English with the names and numbers it holds kept. A value that is itself such a
text (a spot check's item inside a title) is read back too; the values named in TERMS are the product's own words,
translated with the message. A text no template fits is shown as it is stored.
"""
from __future__ import annotations

import re

from app.errors import Message, recovered
from app.services.stored_texts import templates

# product terms: an entry's category (人员信息 ...), a case's failed step (the English its procedure gives it)
TERMS = frozenset({"category", "step"})
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def readable(text: str) -> str:
    """A stored text as the Message of the template it was built from (its values read back in turn), for the pages
    to translate; the text itself when no template fits it (or when it is a template: the catalogue's own id)."""
    if not _CHINESE.search(text):
        return text
    known = templates()
    if text in known:
        return text
    found = recovered(text, known, TERMS)
    if not isinstance(found, Message):
        return text
    return Message(found.template, **{name: value if isinstance(value, Message) else readable(str(value))
                                      for name, value in found.values.items()})
