"""Names of states, stages and kinds of work in each notice language."""

from __future__ import annotations

from mqa_workflow.applications.models import STATE_LABELS
from mqa_workflow.standards.loader import CLASS_IDS, load_standard

LANGUAGES = ("zh", "en")

# Kinds of work with a deadline, and the review stages (zh, en).
_LABELS: dict[str, tuple[str, str]] = {
    "correction": ("申报材料补正", "correction of the application"),
    "review": ("评审评分表", "review score sheet"),
    "consensus": ("共识评分", "consensus score sheet"),
    "site_visit_report": ("现场评审报告", "site-visit report"),
    "committee_vote": ("评审委员会表决", "committee vote"),
    "document_review": ("材料评审", "document review"),
    "site_visit": ("现场评审", "site visit"),
    # The committee's decision (VoteChoice values).
    "grand": ("授予大奖", "the grand award"),
    "encouragement": ("授予鼓励奖", "the encouragement award"),
    "none": ("不予授奖", "no award"),
}


def label(code: str, language: str) -> str:
    """The name of ``code`` in ``language``; an unknown code is an error, never shown raw."""
    if code in _LABELS:
        return _LABELS[code][LANGUAGES.index(language)]
    if code in CLASS_IDS:  # the class as its standard names it (经济类)
        return load_standard(code).award_class if language == "zh" else f"{code} class"
    for state, zh in STATE_LABELS.items():
        if state.value == code:
            return zh if language == "zh" else code.replace("_", " ")
    raise KeyError(f"no label for {code!r}")
