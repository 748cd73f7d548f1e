"""The templates of the texts stored in Chinese when a case moves, by which the pages read such a text back.

A handler or a service writes some texts into a column or the case data as their Chinese (a case's title, a lock's
state, a ledger entry's reason, a decision's outcome, a redeploy's note): the API answers them and the other systems
read them as they are. Each is built from a template (a Chinese message id of the catalogue). The services' own are
listed below; each procedure module of handlers/ names its own (`STORED_TEXTS`), which the handler registry the
application factory builds carries. The pages (app/web/stored_texts.py) read them all here and never import handlers/.
"""
from __future__ import annotations

from app.services.procedures.deploy import REDEPLOYED
from app.services.procedures.registry import stored_text_templates
from app.services.records.integrity import CORRECTION_REASON
from app.services.records.spot_checks import ENTRY_ITEM, ENTRY_ITEM_UNNAMED, IN_REGION_ITEM
from app.services.steps import STEP_ERROR

SERVICE_TEMPLATES: tuple[str, ...] = (
    # a spot check's item (in its case's title and its deduction's reason)
    IN_REGION_ITEM, ENTRY_ITEM, ENTRY_ITEM_UNNAMED,
    # a ledger entry's counter-entry reason
    CORRECTION_REASON,
    # a procedure's change of its current version
    REDEPLOYED,
    # a case's 异常: its failed step (a term: the English its procedure gives it) and the error
    STEP_ERROR,
)


def templates() -> tuple[str, ...]:
    """Every template of a stored text: the procedures' (from the current app's handler registry), then the
    services'."""
    return (*stored_text_templates(), *SERVICE_TEMPLATES)
