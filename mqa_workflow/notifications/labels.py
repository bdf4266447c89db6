"""Names of states, stages, classes and kinds of work in each notice language.

The notice templates are written per language (``EVENT.zh.html``, ``EVENT.en.html``); the
names they fill in come from the ``messages`` catalogue: each code has its English name here
(the msgid), and zh_CN/messages.po holds its Chinese, as for the pages.
"""

from __future__ import annotations

from mqa_workflow.applications.models import STATE_LABELS
from mqa_workflow.translations import translations

LANGUAGES = ("zh", "en")


def N_(message: str) -> str:  # gettext's name for "mark for extraction, translate later"
    return message


# Kinds of work with a deadline, the review stages, the committee's decision (VoteChoice
# values) and the award classes, by their English names.
NAMES: dict[str, str] = {
    "correction": N_("correction of the application"),
    "review": N_("review score sheet"),
    "consensus": N_("consensus score sheet"),
    "site_visit_report": N_("site-visit report"),
    "committee_vote": N_("committee vote"),
    "document_review": N_("document review"),
    "site_visit": N_("site visit"),
    "defence": N_("defence"),
    "grand": N_("the grand award"),
    "encouragement": N_("the encouragement award"),
    "none": N_("no award"),
    "economic": N_("economic class"),
    "cultural": N_("cultural class"),
    "social": N_("social class"),
    "ecological": N_("ecological class"),
    "management": N_("management class"),
    "service": N_("service class"),
}


def label(code: str, language: str) -> str:
    """The name of ``code`` in ``language``; an unknown code is an error, never shown raw."""
    if language not in LANGUAGES:
        raise KeyError(f"unknown language {language!r}")
    if code in NAMES:
        return translations(language).gettext(NAMES[code])
    for state, zh in STATE_LABELS.items():
        if state.value == code:
            return zh if language == "zh" else code.replace("_", " ")
    raise KeyError(f"no label for {code!r}")
