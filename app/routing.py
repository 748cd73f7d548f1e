"""Ids in URL paths, for the pages and the API alike: ASCII digits, bounded by the id columns."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # ids are INTEGER columns (32 bits in PostgreSQL): a larger one names nothing
ID = f"id(max={MAX_ID})"  # path converter: `f"/cases/<{ID}:case_id>"`; another id answers 404


class IdConverter(IntegerConverter):
    """werkzeug's `int` matches any Unicode digit (`/cases/１` and `/cases/١` named case 1, and a DELETE of
    `/tokens/０１` revoked token 1): an id is ASCII digits only."""

    regex = r"[0-9]+"


def init_app(app: Flask) -> None:
    """Before any route is added: the routes name the converter."""
    app.url_map.converters["id"] = IdConverter
