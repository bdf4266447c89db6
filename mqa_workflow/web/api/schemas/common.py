"""What every answer shares: the error body, moments as text, and the refusals a route
declares (so the OpenAPI document lists every status an endpoint can answer)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from mqa_workflow.web.present import number, when

__all__ = ["Day", "DetailRead", "ErrorRead", "Moment", "Read", "media", "number", "refusals",
           "when"]

# Moments go out as Python's ISO 8601 text, as they always have (a UTC offset when the
# database keeps one); not declared "date-time", which would promise the offset.
Moment = Annotated[str, Field(description="ISO 8601 (date and time)")]
Day = Annotated[str, Field(description="ISO 8601 date")]


class Read(BaseModel):
    """A read model: what the API answers, never parsed from a client."""

    model_config = ConfigDict(extra="forbid")


class LocalizedMessageRead(Read):
    """One sentence in the reader's language, with its catalogue msgid (null when it has
    none) and the params it was worded with."""

    text: str
    msgid: str | None
    params: dict[str, Any]


class LocalizedRead(Read):
    lang: str = Field(description="zh (the default) or en: the lang cookie, else "
                                  "Accept-Language")
    detail: LocalizedMessageRead
    problems: list[LocalizedMessageRead]


class ErrorRead(Read):
    """Every refusal's body (web/errors.py, and the early refusals of the admission control
    and the upload guard): one sentence, and every unmet condition when there are several,
    in English; ``localized`` is the same in the reader's language, when the refusal is
    one of the workflow's (its msgid and params included)."""

    detail: str
    problems: list[str]
    localized: LocalizedRead | None = None


class DetailRead(Read):
    detail: str


REFUSALS: dict[int, str] = {
    401: "Not signed in: no valid session cookie or bearer token (WWW-Authenticate: Bearer).",
    403: "Signed in, but this role or relation may not do it (or a cookie session without "
         "its X-CSRF-Token).",
    404: "No such record, or none you may know of.",
    409: "Conflicts with the record's state or with a change made at the same time; the "
         "problems list every unmet condition.",
    413: "The upload is over the size limit.",
    422: "The request is malformed, or a value is out of range or not storable.",
    429: "Too many failed sign-ins from this account or address; see Retry-After.",
    503: "The server is busy or the database is away for a moment; nothing was changed. "
         "See Retry-After.",
}


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entries for ``statuses``, each with the shared error body."""
    return {status: {"model": ErrorRead, "description": REFUSALS[status]}
            for status in sorted(statuses)}


def media(*kinds: str, description: str) -> dict[int | str, dict[str, Any]]:
    """A 200 answered as a file of one of ``kinds`` (not JSON)."""
    return {200: {"description": description,
                  "content": {kind: {"schema": {"type": "string", "format": "binary"}}
                              for kind in kinds}}}
