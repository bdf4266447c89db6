"""Which transitions a cycle's procedure offers: the plain path or the Shenzhen stages.

The table's guards ``uses_X`` / ``skips_X`` and the candidate list's guards depend on
the cycle's rules alone, never on the application: a trigger one of them refuses can
never fire in that cycle, so the pages do not offer it (rather than list it as waiting).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.cycles.models import CycleRules
from mqa_workflow.states.engine import unmet_conditions
from mqa_workflow.states.table import TRANSITIONS, TransitionSpec, triggers_from

_OPTIONAL = ("defence", "social_evaluation", "public_notice")

# The guards that read only the cycle's rules: whether the procedure runs the step at all.
PROCEDURE_GUARDS: dict[str, Callable[[CycleRules], bool]] = {
    **{f"uses_{stage}": (lambda rules, s=stage: rules.uses(s)) for stage in _OPTIONAL},
    **{f"skips_{stage}": (lambda rules, s=stage: not rules.uses(s)) for stage in _OPTIONAL},
    # 差额选拔: without a candidate list every scored application goes to the committee.
    "candidate_not_selected": lambda rules: rules.candidates_per_class is not None,
}


def in_procedure(spec: TransitionSpec, rules: CycleRules) -> bool:
    """Whether the cycle's procedure has this transition at all."""
    return all(PROCEDURE_GUARDS[name](rules) for name in spec.guards
               if name in PROCEDURE_GUARDS)


def offered(rules: CycleRules, states: Iterable[str]) -> list[TransitionSpec]:
    """The transitions of the cycle's procedure that leave one of ``states``, in the
    table's order."""
    present = set(states)
    return [spec for spec in TRANSITIONS if in_procedure(spec, rules)
            and any(source.value in present for source in spec.sources)]


def actions_now(session: Session, application: Application, actor: User
                ) -> dict[str, list[str]]:
    """Like ``engine.waiting_for``, for the triggers of the application's procedure
    only: each with what still stands in its way (empty: it can fire)."""
    rules = application.cycle.rules
    return {spec.trigger: unmet_conditions(session, application, spec, actor, reason="(any)")
            for spec in triggers_from(application.state) if in_procedure(spec, rules)}
