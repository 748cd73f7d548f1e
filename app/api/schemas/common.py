"""Shared pieces: whole numbers, moments, days bounding a search, values worked out for an answer, paging arguments,
input ids and the error body."""
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, Literal

from marshmallow import Schema, fields, validate

from app.dates import FIRST_DAY, LAST_DAY
from app.routing import MAX_ID

MAX_PAGE = 1_000_000  # beyond any list; larger numbers would overflow the database's OFFSET


def value(obj: Any, key: str) -> Any:
    """A value a schema shows, from a mapping (a built answer) or an object (a row, a model)."""
    return obj[key] if isinstance(obj, Mapping) else getattr(obj, key)


class Integer(fields.Integer):
    """An integer that refuses a number with a fraction (1.9 in a JSON body): marshmallow's own truncates it
    to 1 without a word. Text such as a query string's "2" is read as before."""

    def _validated(self, value: Any) -> Any:
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._validated(value)


class DateTime(fields.DateTime):
    """A moment, always answered in UTC (ISO 8601 with +00:00): a value computed in this request was answered
    in Beijing time (+08:00) and the same value read back in UTC, two spellings of one moment."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class SearchDay(fields.Date):
    """A day bounding a search. A day off the calendar, such as the 9999-12-31 typed for "no end date", is taken as
    its first or last day (2000-01-01, 2099-12-31): the search's own conversions (a day on, China midnight in UTC)
    would overflow, and no record is dated outside it."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        day: date = super()._deserialize(value, attr, data, **kwargs)
        return min(max(day, FIRST_DAY), LAST_DAY)


JsonType = Literal["string", "integer", "number", "boolean", "array", "object"]


def computed(function: Callable[[Any], Any], json_type: JsonType, *, nullable: bool = False, required: bool = False,
             **metadata: Any) -> fields.Function:
    """A value worked out from the object shown (a title, a masked number, a flag), with its JSON type in the
    document: apispec gives a Function field none, so a validator could check nothing and a generated client
    typed it Any. `metadata`: more of the JSON schema (description, items, enum)."""
    return fields.Function(function, required=required, allow_none=nullable,
                           metadata={"type": json_type, **metadata})


def id_field(**kwargs: Any) -> fields.Integer:
    """An input id: a positive integer the id columns can hold (a larger one would overflow them)."""
    return Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class PageArgsSchema(Schema):
    page = Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = Integer(load_default=20, validate=validate.Range(min=1, max=100))


def page_answer(items: list[Any], total: int, args: Mapping[str, Any], **more: Any) -> dict[str, Any]:
    """A list's answer: its page of items, the total, and the page it was asked for (PageArgsSchema's), echoed."""
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"], **more}


ERROR_DETAILS = (
    "Depends on `code`. `invalid_form` (422, a submitted form): `fields` maps each field path "
    "(`changes.0.old_value`, `_form` for the whole form) to one Chinese message. `invalid_request` "
    "(422, parameters refused before any use case ran): `fields` maps each JSON body field to a list "
    "of Chinese messages (items of a list by index: `{\"ids\": {\"0\": [...]}}`, the body as a "
    "whole under `_schema`); query parameters the same under `query` (`{\"query\": {\"limit\": [...]}}`). "
    "Beside `fields`, `fields_en` is the same tree with each message in English (the Chinese where a message has "
    "none). `deploy_refused`: `problems`, each `{file, element, problem}` with `problem_en`, its English. "
    "Other codes: usually empty.")


class ErrorSchema(Schema):
    """Every error answer: a stable code, a Chinese message with its English where there is one, details."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    message_en = fields.String(allow_none=True, metadata={
        "description": "the message in English; null where it has none (a message naming data, e.g. a person)"})
    details = fields.Dict(metadata={"description": ERROR_DETAILS})


class OrganisationRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    region_code = fields.String()


class UserRefSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
