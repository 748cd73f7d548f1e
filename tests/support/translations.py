"""The page language catalogue as the app reads it: compiled from the .po (what `make translations` does),
and the message ids the code and forms hold (what `make i18n` extracts)."""
from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
ENGLISH_PO = ROOT / "app/web/translations/en/LC_MESSAGES/messages.po"


def english_catalogue() -> Catalog:
    with ENGLISH_PO.open("rb") as po:
        return read_po(po, locale="en")


def compile_english() -> None:
    """messages.po -> messages.mo beside it, when the .mo is missing or older."""
    mo = ENGLISH_PO.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < ENGLISH_PO.stat().st_mtime:
        with mo.open("wb") as out:
            write_mo(out, english_catalogue())


def extracted_ids() -> set[str]:
    """Every message id babel.cfg extracts from the code, the templates and the forms."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    return {message if isinstance(message, str) else message[0]
            for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map)}
