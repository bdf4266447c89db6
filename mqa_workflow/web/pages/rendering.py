"""Rendering pages: one Jinja2 environment, the visitor's language, CSRF in every form.

The environment is shared by every request, so the words come from the render context:
``t`` (plain ``gettext``, the extraction keyword the templates use) and ``lang`` per request;
``_``, ``gettext``, ``ngettext`` and ``{% trans %}`` (``jinja2.ext.i18n``, newstyle) are
installed once as context-aware callables that read ``lang`` from the page being rendered.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import STATE_LABELS, ApplicationState
from mqa_workflow.clock import office_time
from mqa_workflow.notifications.labels import NAMES as CLASS_AND_STAGE_NAMES
from mqa_workflow.scoring.points import points
from mqa_workflow.translations import translations
from mqa_workflow.translations.message import Message
from mqa_workflow.translations.message import render as render_message
from mqa_workflow.web.i18n import LANGUAGES, translator
from mqa_workflow.web.phrases_office_audit import import_problem_zh

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
TEMPLATES.env.add_extension("jinja2.ext.i18n")


def _reader(context: Context) -> str:
    lang = context.get("lang")
    return lang if lang in LANGUAGES else "zh"


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translator(_reader(context))(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(_reader(context)).ngettext(singular, plural, n)


TEMPLATES.env.install_gettext_callables(  # type: ignore[attr-defined]  (the i18n extension)
    _gettext, _ngettext, newstyle=True)


@pass_context
def state_label(context: Context, state: str | None) -> str:
    """A state's name in the reader's language; a record with no state (an office
    action): ""."""
    if not state:
        return ""
    known = ApplicationState(state)
    if _reader(context) == "zh":
        return STATE_LABELS.get(known, state)
    return known.value.replace("_", " ")


@pass_context
def class_label(context: Context, award_class: str) -> str:
    """An award class in the reader's language (经济类 / economic class), from the
    catalogue, as the notices name it."""
    name = CLASS_AND_STAGE_NAMES.get(award_class)
    return translator(_reader(context))(name) if name else award_class


TEMPLATES.env.globals.update(state_label=state_label, class_label=class_label)


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
def in_page_language(context: Context, value: Any) -> Any:
    """Every ``{{ … }}`` that prints a refusal (translations/message.py) prints it in the
    page's language: a guard's reason, a domain error's problems, a tally's note, wherever
    a template shows one; any other value is printed as it is."""
    if isinstance(value, Message):
        return render_message(value, _reader(context))
    return value


TEMPLATES.env.finalize = in_page_language
TEMPLATES.env.filters["points"] = points  # scores: two decimals everywhere
TEMPLATES.env.globals["import_problem_zh"] = import_problem_zh


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
