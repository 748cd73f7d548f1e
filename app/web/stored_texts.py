"""Texts stored in Chinese when a case moves, read back into their templates for the English pages.

A handler or a service writes some texts into a column or the case data as their Chinese (a case's title, a lock's
state, a ledger entry's reason, a decision's outcome, a redeploy's note): the API answers them and the other systems
read them as they are. Each is built from one of the templates below (a Chinese message id of the catalogue), and
`readable` reads a stored text back into its errors.Message by them (errors.recovered), so that `i18n.gettext`, which
asks here for a text the catalogue does not have, shows it in English with the names and numbers it holds kept. A
value that is itself such a text (a spot check's item inside a title) is read back too; the values named in TERMS are
the product's own words, translated with the message. A text no template fits is shown as it is stored.
"""
from __future__ import annotations

import re

from app.errors import Message, recovered
from app.services.procedures.deploy import REDEPLOYED
from app.services.records.integrity import CORRECTION_REASON
from app.services.records.spot_checks import ENTRY_ITEM, ENTRY_ITEM_UNNAMED, IN_REGION_ITEM
from handlers import commitment, deregistration, historical, migrated, performance, project, spot_check, unlock, upgrade

TEMPLATES: tuple[str, ...] = (
    # a case's title
    commitment.TITLE, deregistration.TITLE, historical.TITLE, migrated.TITLE, performance.TITLE, project.TITLE,
    spot_check.TITLE, unlock.TITLE, *upgrade.TITLES.values(),
    # a spot check's item (in its case's title and its deduction's reason)
    IN_REGION_ITEM, ENTRY_ITEM, ENTRY_ITEM_UNNAMED,
    # a ledger entry's reason
    spot_check.LEDGER_REASON, CORRECTION_REASON,
    # a lock's state after an unlock (`unlock_state_title`), a refused upgrade's outcome (`outcome.message`)
    unlock.TEMPORARILY_UNLOCKED, unlock.UNLOCKED_ENDING_TEMPORARY, unlock.SUPERSEDED, upgrade.REFUSED_OUTCOME,
    # a procedure's change of its current version
    REDEPLOYED,
)
TERMS = frozenset({"category"})  # an entry's category (人员信息 ...): a product term
_KNOWN = frozenset(TEMPLATES)
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def readable(text: str) -> str:
    """A stored text as the Message of the template it was built from (its values read back in turn), for the pages
    to translate; the text itself when no template fits it (or when it is a template: the catalogue's own id)."""
    if text in _KNOWN or not _CHINESE.search(text):
        return text
    found = recovered(text, TEMPLATES, TERMS)
    if not isinstance(found, Message):
        return text
    return Message(found.template, **{name: value if isinstance(value, Message) else readable(str(value))
                                      for name, value in found.values.items()})
