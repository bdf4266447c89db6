"""What the API reads and answers.

Here: the request bodies (bounds on every field keep malformed input a 422, never a 500).
Beside them, one module per domain holds the read models, what each client sees of the
records (``accounts``, ``applications``, ``reviews`` …), and ``common`` the error body
every refusal shares.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mqa_workflow.reviews.models import ReviewStage

Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Short = Annotated[str, StringConstraints(max_length=300)]
Code = Annotated[str, StringConstraints(max_length=20)]
Percentage = Annotated[int, Field(ge=-1000, le=1000)]  # the domain names the allowed steps


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(Strict):
    email: Short
    password: Annotated[str, StringConstraints(max_length=1024)]


class PasswordBody(Strict):
    password: Annotated[str, StringConstraints(max_length=1024)]


class UnlockBody(Strict):
    email: Short | None = None
    address: Annotated[str, StringConstraints(max_length=64)] | None = None


class ChangePasswordBody(Strict):
    current_password: Annotated[str, StringConstraints(max_length=1024)]
    new_password: Annotated[str, StringConstraints(max_length=1024)]


class UserBody(Strict):
    name: Short
    email: Short
    roles: Annotated[list[Short], Field(min_length=1, max_length=5)]
    organization_id: Id | None = None
    language: Short = "zh"
    password: Annotated[str, StringConstraints(max_length=1024)] | None = None


class CycleBody(Strict):
    year: Annotated[int, Field(ge=1900, le=2200)]
    name: Short | None = None
    classes: Annotated[list[Short], Field(max_length=6)] | None = None
    deadlines: dict[Short, date] = Field(default_factory=dict, max_length=20)
    rules: dict[Short, Any] = Field(default_factory=dict, max_length=50)


class ContactBody(Strict):
    name: Short
    email: Short = ""
    phone: Short = ""


class OrganizationBody(Strict):
    name: Short
    uscc: Short
    industry: Short
    district: Short
    parent_uscc: Short | None = None
    contacts: Annotated[list[ContactBody], Field(max_length=20)] = Field(default_factory=list)


class ApplicationBody(Strict):
    cycle_id: Id
    award_class: Short
    organization_id: Id | None = Field(
        default=None, description="Administrators name it; an applicant contact's is theirs.")
    project_name: Short | None = None


class AnswersBody(Strict):
    profile: Text | None = None
    items: dict[Code, Text] = Field(default_factory=dict, max_length=200)


class TransitionBody(Strict):
    trigger: Short
    reason: Text = ""
    data: dict[Short, Any] = Field(default_factory=dict, max_length=50)
    version: Id | None = Field(default=None, description="The version you read; a newer one "
                               "means someone else moved it first (409).")


class BulkBody(Strict):
    cycle_id: Id
    trigger: Short
    award_class: Short | None = None
    reason: Text = ""
    dry_run: bool = True


class AssignBody(Strict):
    stage: ReviewStage = ReviewStage.DOCUMENT_REVIEW


class DeclineBody(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class Comment(Strict):
    strengths: Text = ""
    opportunities: Text = ""


class SheetBody(Strict):
    scores: dict[Code, Percentage] = Field(default_factory=dict, max_length=200)
    comments: dict[Code, Comment] = Field(default_factory=dict, max_length=200)
    submit: bool = False


class Decision(Strict):
    percentage: Percentage
    rationale: Text


class ConsensusBody(Strict):
    decisions: dict[Code, Decision] = Field(default_factory=dict, max_length=200)


class AgreedFeedbackBody(Strict):
    """The team's agreed text: a short summary, and per category (by its code) the
    strengths and opportunities for improvement; it replaces the previous text whole."""

    summary: Text = ""
    categories: dict[Code, Comment] = Field(default_factory=dict, max_length=20)


class VisitBody(Strict):
    scheduled_on: date
    issues_to_verify: Annotated[list[Text], Field(max_length=50)] = Field(default_factory=list)


class FindingBody(Strict):
    issue: Text
    verified: Literal["yes", "partly", "no"]
    finding: Text


class ReportBody(Strict):
    """The site-visit report: one finding per issue to verify, and an overall summary."""

    findings: Annotated[list[FindingBody], Field(max_length=50)] = Field(default_factory=list)
    report: Text = ""  # the overall summary


class VoteBody(Strict):
    choice: Short


class ReadBody(Strict):
    ids: Annotated[list[Id], Field(max_length=500)] = Field(
        default_factory=list, description="Notices to mark read; none means all.")


class RetryBody(Strict):
    ids: Annotated[list[Id], Field(max_length=500)] = Field(default_factory=list)


class DeclarationBody(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


_Field = Annotated[str | None, StringConstraints(max_length=300)]


class EmploymentBody(Strict):
    uscc: Short
    name: Short
    start: Short
    end: _Field = None


class RelationshipBody(Strict):
    uscc: Short
    kind: Short
    note: Short = ""


class EngagementBody(Strict):
    uscc: Short
    name: Short
    kind: Short
    start: Short
    end: _Field = None


class ShareholdingBody(Strict):
    uscc: Short
    name: Short
    share: Short = ""


class ConflictProfileBody(Strict):
    employer_uscc: _Field = None
    industry: _Field = None
    district: _Field = None
    employments: Annotated[list[EmploymentBody], Field(max_length=100)] = []
    relationships: Annotated[list[RelationshipBody], Field(max_length=100)] = []
    engagements: Annotated[list[EngagementBody], Field(max_length=100)] = []
    shareholdings: Annotated[list[ShareholdingBody], Field(max_length=100)] = []
