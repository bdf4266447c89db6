"""Every mapped model, imported in one place for Alembic and for tests."""

from mqa_workflow.accounts.models import User
from mqa_workflow.accounts.sign_in import Credential, Invitation, WebSession
from mqa_workflow.applicants.models import Organization, Project
from mqa_workflow.applications.models import Application, Document, DocumentBlob, ItemAnswer
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.committee.models import CommitteeDecision, CommitteeVote
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.db import Base
from mqa_workflow.demo.models import DemoMarker
from mqa_workflow.notifications.models import Delivery, Notification, SentNotice
from mqa_workflow.outbox.models import OutboxMessage, ProcessedTask
from mqa_workflow.procedure.models import (
    CandidateDecision,
    DefenceSlot,
    EligibilityReview,
    Objection,
    PublicNotice,
    SocialEvaluation,
)
from mqa_workflow.reports.models import FeedbackPdf
from mqa_workflow.reviews.models import (
    ConflictOfInterest,
    ConflictProfile,
    ConsensusSheet,
    NoConflictStatement,
    PoolReviewer,
    ReviewAssignment,
    ScoreSheet,
    SiteVisit,
)
from mqa_workflow.scoring.models import ConsolidatedScore

__all__ = [
    "Application",
    "AuditRecord",
    "AwardCycle",
    "Base",
    "CandidateDecision",
    "CommitteeDecision",
    "CommitteeVote",
    "ConflictOfInterest",
    "ConflictProfile",
    "ConsensusSheet",
    "ConsolidatedScore",
    "Credential",
    "DefenceSlot",
    "Delivery",
    "DemoMarker",
    "Document",
    "DocumentBlob",
    "EligibilityReview",
    "FeedbackPdf",
    "Invitation",
    "ItemAnswer",
    "NoConflictStatement",
    "Notification",
    "Objection",
    "Organization",
    "OutboxMessage",
    "PoolReviewer",
    "ProcessedTask",
    "Project",
    "PublicNotice",
    "ReviewAssignment",
    "ScoreSheet",
    "SentNotice",
    "SiteVisit",
    "SocialEvaluation",
    "User",
    "WebSession",
]
