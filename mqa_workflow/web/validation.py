"""FastAPI's validation errors (the 422 of a malformed request) as refusals.

Pydantic words each error in English; the common kinds are refusals here with the same
English, so a page reads them in the visitor's language. A kind not listed, or one
whose English pydantic words differently than written here, stays pydantic's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mqa_workflow.translations.message import Message, refusal_msgid

# pydantic's error type → its sentence, with the field first and its ctx as params.
KINDS: dict[str, str] = {
    "missing": refusal_msgid("%(field)s: Field required"),
    "extra_forbidden": refusal_msgid("%(field)s: Extra inputs are not permitted"),
    "int_parsing": refusal_msgid(
        "%(field)s: Input should be a valid integer, unable to parse string as an integer"),
    "int_type": refusal_msgid("%(field)s: Input should be a valid integer"),
    "int_from_float": refusal_msgid(
        "%(field)s: Input should be a valid integer, got a number with a fractional part"),
    "float_parsing": refusal_msgid(
        "%(field)s: Input should be a valid number, unable to parse string as a number"),
    "float_type": refusal_msgid("%(field)s: Input should be a valid number"),
    "string_type": refusal_msgid("%(field)s: Input should be a valid string"),
    "string_too_short": refusal_msgid(
        "%(field)s: String should have at least %(min_length)s characters"),
    "string_too_long": refusal_msgid(
        "%(field)s: String should have at most %(max_length)s characters"),
    "greater_than": refusal_msgid("%(field)s: Input should be greater than %(gt)s"),
    "greater_than_equal": refusal_msgid(
        "%(field)s: Input should be greater than or equal to %(ge)s"),
    "less_than": refusal_msgid("%(field)s: Input should be less than %(lt)s"),
    "less_than_equal": refusal_msgid("%(field)s: Input should be less than or equal to %(le)s"),
    "bool_parsing": refusal_msgid(
        "%(field)s: Input should be a valid boolean, unable to interpret input"),
    "bool_type": refusal_msgid("%(field)s: Input should be a valid boolean"),
    "date_type": refusal_msgid("%(field)s: Input should be a valid date"),
    "date_from_datetime_parsing": refusal_msgid(
        "%(field)s: Input should be a valid date or datetime, %(error)s"),
    "datetime_type": refusal_msgid("%(field)s: Input should be a valid datetime"),
    "datetime_from_date_parsing": refusal_msgid(
        "%(field)s: Input should be a valid datetime or date, %(error)s"),
    "literal_error": refusal_msgid("%(field)s: Input should be %(expected)s"),
    "enum": refusal_msgid("%(field)s: Input should be %(expected)s"),
    "list_type": refusal_msgid("%(field)s: Input should be a valid list"),
    "dict_type": refusal_msgid("%(field)s: Input should be a valid dictionary"),
}


def problem(error: Mapping[str, Any]) -> str:
    """One validation error as the page shows it: "<where>: <what>", a refusal when its
    kind is known (the same English either way)."""
    field = ".".join(str(part) for part in error.get("loc", ()))
    plain = f"{field}: {error.get('msg', '')}"
    msgid = KINDS.get(str(error.get("type", "")))
    if msgid is None:
        return plain
    try:
        message = Message(msgid, {"field": field, **(error.get("ctx") or {})})
    except (KeyError, TypeError, ValueError):  # a ctx this table does not expect
        return plain
    return message if message == plain else plain
