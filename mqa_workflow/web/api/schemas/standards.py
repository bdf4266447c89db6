"""The published standards as the API shows them (one standard: the domain's own model)."""

from __future__ import annotations

from mqa_workflow.web.api.schemas.common import Read


class StandardSummaryRead(Read):
    class_id: str
    award_class: str
    total_points: int
