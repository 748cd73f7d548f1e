"""A document's PDF: its `content` through a Jinja template of this folder, laid out by WeasyPrint with
Debian's Noto CJK fonts (fonts-noto-cjk), A4. Rendered once, on first download, then kept with the case."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.models import CaseDocument

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def document_html(document: CaseDocument) -> str:
    return _environment().get_template(f"{document.kind}.html").render(doc=document.content)


def render_pdf(document: CaseDocument) -> bytes:
    """The document's PDF (WeasyPrint is imported here only: it loads Pango on first use)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=document_html(document), base_url=str(TEMPLATES)).write_pdf()
    return pdf


def ensure_pdf(document: CaseDocument) -> bytes:
    """The stored PDF, rendered and stored first when it is not yet."""
    if document.pdf is None:
        document.pdf = render_pdf(document)
        document.sha256 = hashlib.sha256(document.pdf).hexdigest()
    return document.pdf
