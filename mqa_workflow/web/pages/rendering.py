"""Rendering pages: one Jinja2 environment, the visitor's language, CSRF in every form."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import STATE_LABELS, ApplicationState
from mqa_workflow.clock import office_time
from mqa_workflow.scoring.points import points
from mqa_workflow.translations.message import Message
from mqa_workflow.translations.message import render as render_message
from mqa_workflow.web.i18n import LANGUAGES, translator

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
TEMPLATES.env.globals["state_label"] = (  # a record with no state (an office action): ""
    lambda s: STATE_LABELS.get(ApplicationState(s), s) if s else "")


def beijing(moment: datetime | str | None) -> str:
    """A stored UTC moment as the office reads it, in Beijing time to the minute; the page
    names the zone (北京时间) once, beside it or in its heading."""
    if moment is None or moment == "":
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return office_time(moment)


TEMPLATES.env.filters["beijing"] = beijing


@pass_context
def in_page_language(context: Any, value: Any) -> Any:
    """Every ``{{ … }}`` that prints a refusal (translations/message.py) prints it in the
    page's language: a guard's reason, a domain error's problems, a tally's note, wherever
    a template shows one; any other value is printed as it is."""
    if isinstance(value, Message):
        return render_message(value, context.get("lang") or "zh")
    return value


TEMPLATES.env.finalize = in_page_language
TEMPLATES.env.filters["points"] = points  # scores: two decimals everywhere


def language(request: Request) -> str:
    chosen = request.cookies.get("lang", "zh")
    return chosen if chosen in LANGUAGES else "zh"


def render(request: Request, template: str, *, user: User | None = None,
           csrf: str = "", status: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    return TEMPLATES.TemplateResponse(request, template, {
        "user": user, "csrf_token": csrf, "lang": lang, "t": translator(lang), **context,
    }, status_code=status)


def render_error(request: Request, status: int, detail: str, problems: list[str]
                 ) -> HTMLResponse:
    return render(request, "error.html", status=status, detail=detail, problems=problems,
                  status_code=status)


def back_to(url: str) -> RedirectResponse:
    """After a form post: see the result with a fresh GET (post/redirect/get)."""
    return RedirectResponse(url, status_code=303)
