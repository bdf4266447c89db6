"""The six published standards (public: the criteria are no secret)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.models import CLASS_IDS, Standard
from mqa_workflow.web.api.schemas.common import refusals
from mqa_workflow.web.api.schemas.standards import StandardSummaryRead

router = APIRouter(prefix="/standards", tags=["standards"])
ClassId = Literal["economic", "cultural", "social", "ecological", "management", "service"]


@router.get("", summary="The award classes and their standards' titles")
def list_standards() -> list[StandardSummaryRead]:
    return [StandardSummaryRead(class_id=c, award_class=load_standard(c).award_class,
                                total_points=load_standard(c).total_points) for c in CLASS_IDS]


@router.get("/{class_id}", summary="One standard: items, points, guide points, scoring guides",
            responses=refusals(422))
def get_standard(class_id: ClassId) -> Standard:
    return load_standard(class_id)
