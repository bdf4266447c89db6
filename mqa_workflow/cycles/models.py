"""An award cycle (评审周期): its year, classes, stage deadlines and rules.

The rules are stored as a snapshot with the cycle, so changing next year's rules
never changes a past cycle.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from mqa_workflow.applications.vocabulary import STAGE_STATES, STATE_LABELS
from mqa_workflow.clock import now
from mqa_workflow.db import Base
from mqa_workflow.standards.models import CLASS_IDS

# The stages with a deadline, in the order an application meets them: its submission,
# then each stage state (applications.vocabulary.STAGE_STATES).
STAGES: tuple[str, ...] = ("submission", *(state.value for state in STAGE_STATES))
STAGE_LABELS: dict[str, str] = {"submission": "申报截止",
                                **{state.value: STATE_LABELS[state] for state in STAGE_STATES}}


OptionalStage = Literal["defence", "social_evaluation", "public_notice"]


class AwardQuota(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grand: int = Field(default=1, ge=0, description="大奖 per class")
    encouragement: int = Field(default=2, ge=0, description="鼓励奖 per class")


class CycleRules(BaseModel):
    """Everything a cycle decides for itself; defaults follow common practice."""

    model_config = ConfigDict(extra="forbid")

    reviewers_per_application: int = Field(default=5, ge=1)
    site_visit_team_size: int = Field(default=3, ge=1)
    site_visits_per_class: int = Field(default=3, ge=0)
    correction_days: int = Field(default=10, ge=1, description="补正 period")
    consensus_threshold: int = Field(default=20, ge=0, le=100)
    score_weights: dict[str, float] = Field(
        default_factory=lambda: {"document_review": 0.4, "site_visit": 0.6}
    )
    award_quotas: dict[str, AwardQuota] = Field(default_factory=dict)
    committee_quorum: float = Field(default=2 / 3, gt=0, le=1)
    committee_majority: float = Field(default=0.5, gt=0, le=1)
    conflict_window_years: int = Field(default=3, ge=0)
    competitor_conflicts: bool = False
    percentage_steps: dict[str, int] = Field(default_factory=dict)
    reminder_offsets_days: list[int] = Field(default_factory=lambda: [3, 1])
    escalation_grace_days: int = Field(default=2, ge=0)
    # The Shenzhen procedure's extra stages; a cycle without them runs the plain path.
    optional_stages: list[OptionalStage] = Field(default_factory=list)
    defence_panel_size: int = Field(default=3, ge=1)
    blind_committee: bool = False
    # 差额选拔: candidates per class for the committee, at most `selection_cap` per group.
    candidates_per_class: int | None = Field(default=None, ge=1)
    selection_cap: int | None = Field(default=None, ge=1)
    selection_attribute: dict[str, str] = Field(
        default_factory=lambda: {"economic": "industry"},
        description="Per class, the applicant attribute kept in balance (default: industry).",
    )
    notice_working_days: int = Field(default=5, ge=1)
    # {"holidays": [ISO dates], "working_weekends": [ISO dates]} for the 公示 period.
    calendar: dict[str, list[str | int]] = Field(default_factory=dict)  # years as numbers
    # Eligibility rules as data (see mqa_workflow/procedure/eligibility.py); empty: none.
    eligibility: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_classes(self, info: ValidationInfo) -> CycleRules:
        # The set-up form asks for the fields alone first, to name each problem beside its
        # own field (cycles.service.rules_problems); the loader checks both at once.
        if info.context and info.context.get("fields_only"):
            return self
        problems = self.cross_field_problems()
        if problems:
            raise ValueError("; ".join(english for _, english, _ in problems))
        return self

    def cross_field_problems(self) -> list[tuple[str, str, str]]:
        """What no single field shows: (field, English, Chinese) for each problem."""
        problems = []
        for name in ("award_quotas", "percentage_steps"):
            unknown = set(getattr(self, name)) - set(CLASS_IDS)
            if unknown:
                listed = ", ".join(sorted(unknown))
                problems.append((name, f"unknown award class(es) in rules: {listed}",
                                 f"未知的奖项类别：{listed}"))
        total = sum(self.score_weights.values())
        if abs(total - 1) > 1e-9:
            problems.append(("score_weights",
                             f"score weights must add up to 1 (they add up to {total:g})",
                             f"各阶段权重之和须为 1（现为 {total:g}）"))
        scored = {"document_review", "site_visit"} | (
            set(self.optional_stages) & {"defence", "social_evaluation"})
        stray = sorted(stage for stage, weight in self.score_weights.items()
                       if weight and stage not in scored)
        if stray:
            problems.append((
                "score_weights",
                f"score weights name stage(s) this cycle does not run: "
                f"{', '.join(stray)} (runs: {', '.join(sorted(scored))})",
                f"本周期不设以下阶段，不能赋予权重：{', '.join(stray)}（请先勾选该可选阶段）"))
        return problems

    def uses(self, stage: str) -> bool:
        return stage in self.optional_stages

    def team_size(self, stage: str) -> int:
        """How many reviewers a team of this review stage has."""
        return {"document_review": self.reviewers_per_application,
                "defence": self.defence_panel_size,
                "site_visit": self.site_visit_team_size}[stage]

    def quota(self, award_class: str) -> AwardQuota:
        return self.award_quotas.get(award_class, AwardQuota())


class AwardCycle(Base):
    __tablename__ = "award_cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    classes: Mapped[list[Any]]
    # Stage name -> ISO date of its deadline (end of that day, Asia/Shanghai office hours aside).
    deadlines: Mapped[dict[str, Any]]
    rules_data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=now)
    # When the office released the results (scores, ranks, feedback) to the applicants;
    # who did it is in the audit chain (trigger "release_results").
    results_released_at: Mapped[datetime | None]

    @property
    def rules(self) -> CycleRules:
        return CycleRules.model_validate(self.rules_data)

    def deadline(self, stage: str) -> date | None:
        value = self.deadlines.get(stage)
        return date.fromisoformat(value) if value else None
