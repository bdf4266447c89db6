"""The web's name for the shared permission rules (mqa_workflow/permissions.py).

The command line calls the same module, so a rule is written once and both
refuse alike: 403 here, exit code 6 there; an applicant asking for another
organization's application gets 404 (ids reveal nothing).
"""

from mqa_workflow.permissions import (  # noqa: F401  (re-exported for the web's modules)
    COMMITTEE_STATES,
    applying_for,
    committee_may_see,
    editable,
    feedback_readable,
    full_materials,
    is_admin,
    own_assignment,
    owns,
    readable,
    refuse_unless_released,
    reviewer_task,
    sees_results,
    sees_team_percentages,
    team_place,
    team_progress,
)
from mqa_workflow.states.history import history_for  # noqa: F401  (re-exported likewise)
