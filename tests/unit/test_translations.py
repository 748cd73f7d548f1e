"""Every text the pages can show has its English: the catalogue covers every message id that the code and
the templates hold (`make i18n` extracts them), with the same placeholders. The procedures' forms and
diagrams carry their own English (tests/unit/test_procedure_english.py)."""
from __future__ import annotations

import re

from tests.support.translations import english_catalogue, extracted_ids

_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def test_every_extracted_text_has_an_english_translation() -> None:
    translated = {message.id: message.string for message in english_catalogue() if message.id}
    missing = sorted(text for text in extracted_ids() if text and not translated.get(text))
    assert not missing, f"no English for {len(missing)} texts (run `make i18n`, then translate): {missing[:20]}"


def test_translations_keep_the_placeholders_of_their_chinese() -> None:
    wrong = [message.id for message in english_catalogue() if message.id and message.string
             and set(_PLACEHOLDER.findall(str(message.id))) != set(_PLACEHOLDER.findall(str(message.string)))]
    assert not wrong, wrong
