"""Ids and whole numbers from URL paths, forms and query strings, for the pages and the API alike: ASCII digits,
bounded by the id columns."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # ids are INTEGER columns (32 bits in PostgreSQL): a larger one names nothing
ID = f"id(max={MAX_ID})"  # path converter: `f"/cases/<{ID}:case_id>"`; another id answers 404


class IdConverter(IntegerConverter):
    """werkzeug's `int` matches any Unicode digit (`/cases/１` and `/cases/١` named case 1, and a DELETE of
    `/tokens/０１` revoked token 1): an id is ASCII digits only."""

    regex = r"[0-9]+"


def whole_number(text: str | None, maximum: int = MAX_ID) -> int | None:
    """A number typed into a form or a query string, 0..maximum; None for anything else. ASCII digits only:
    str.isdigit() also takes "²" (which int() refuses: a 500) and "３" or "١" (which int() reads)."""
    digits = (text or "").lstrip("0") or ("0" if text else "")  # int() refuses thousands of digits, zeros too
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(maximum)):
        return None
    number = int(digits)
    return number if number <= maximum else None


def id_arg(text: str | None) -> int | None:
    """An id from a form or a query string: 1..MAX_ID (a larger one would overflow the id columns), else None."""
    number = whole_number(text)
    return number or None


def init_app(app: Flask) -> None:
    """Before any route is added: the routes name the converter."""
    app.url_map.converters["id"] = IdConverter
