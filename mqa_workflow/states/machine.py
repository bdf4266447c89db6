"""The transition table as a ``transitions`` machine: a second reading of the table.

The engine checks a transition's source state against the table itself (building a
machine per application cost ~0.5 ms a transition, issue #14). The library stays as an
independent checker: a machine built once from the table must agree with the table's
own answer to "which triggers leave this state, and where to".
"""

from __future__ import annotations

from transitions import Machine

from mqa_workflow.states.table import TRANSITIONS, ApplicationState, triggers_from


def table_machine() -> Machine:
    """One machine for the whole table, bound to no application."""
    return Machine(
        model=None,
        states=[state.value for state in ApplicationState],
        transitions=[{"trigger": spec.trigger, "source": [s.value for s in spec.sources],
                      "dest": spec.dest.value} for spec in TRANSITIONS],
        initial=ApplicationState.DRAFT.value,
        auto_transitions=False,
    )


def disagreements(machine: Machine | None = None) -> list[str]:
    """Where the machine and the table differ on the moves out of a state (none, normally)."""
    machine = machine or table_machine()
    problems = []
    for state in ApplicationState:
        by_machine = {(trigger, t.dest) for trigger in machine.get_triggers(state.value)
                      for t in machine.get_transitions(trigger, source=state.value)}
        by_table = {(spec.trigger, spec.dest.value) for spec in triggers_from(state)}
        problems += [f"{state.value}: {trigger} → {dest} only in the machine"
                     for trigger, dest in sorted(by_machine - by_table)]
        problems += [f"{state.value}: {trigger} → {dest} only in the table"
                     for trigger, dest in sorted(by_table - by_machine)]
    return problems
