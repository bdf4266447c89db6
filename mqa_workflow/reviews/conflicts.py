"""Conflict-of-interest (回避) rules between reviewers and applications.

Pure domain logic: frozen dataclasses in, a list of :class:`Conflict` out. The
persistence layer loads the profiles; the assignment solver receives the
conflicted ``(reviewer_id, application_id)`` pairs as exclusions.

Rules (their ids are stable strings stored with decisions, never rename them):

``employment``
    The reviewer works, or worked until a date within the window
    (``ConflictRules.employment_window_years``, counted back from *today*), for
    the applicant or one of its related organizations (parent, subsidiaries).
    An employment that ended exactly *window* years ago still counts; one that
    ended a day earlier does not.
``relationship``
    The person declared a relationship (a relative working there, 顾问 …) with
    the applicant or a related organization.
``consulting``
    The person did consulting or coaching work (咨询/辅导) for the applicant or a
    related organization that lasts, or ended within the same window as
    employment (an engagement that ended exactly *window* years ago counts).
``shareholding``
    The person holds shares in the applicant or a related organization.
``competitor``
    Only when ``ConflictRules.competitor_same_industry_and_district`` is on:
    the reviewer's current employer is in the applicant's industry and district
    and is neither the applicant nor one of its related organizations (those
    are the employment rule's business).
``self_declared``
    The person declared a conflict with the application themselves.

The same rules apply to pool reviewers and committee members: a "reviewer" here
is any person with a conflict profile.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

RULE_EMPLOYMENT = "employment"
RULE_RELATIONSHIP = "relationship"
RULE_COMPETITOR = "competitor"
RULE_CONSULTING = "consulting"
RULE_SHAREHOLDING = "shareholding"
RULE_SELF_DECLARED = "self_declared"
RULE_IDS: tuple[str, ...] = (
    RULE_EMPLOYMENT,
    RULE_RELATIONSHIP,
    RULE_COMPETITOR,
    RULE_CONSULTING,
    RULE_SHAREHOLDING,
    RULE_SELF_DECLARED,
)


@dataclass(frozen=True)
class Employment:
    """One employment record; ``end`` is ``None`` while it is current."""

    organization_uscc: str
    organization_name: str
    start: date
    end: date | None = None


@dataclass(frozen=True)
class DeclaredRelationship:
    """A relationship the reviewer declared with an organization (kind: e.g. 顾问)."""

    organization_uscc: str
    kind: str
    note: str = ""


@dataclass(frozen=True)
class Engagement:
    """Consulting or coaching work (kind: 咨询 or 辅导) for an organization."""

    organization_uscc: str
    organization_name: str
    kind: str
    start: date
    end: date | None = None


@dataclass(frozen=True)
class Shareholding:
    organization_uscc: str
    organization_name: str
    share: str = ""  # as declared, e.g. "5%"


@dataclass(frozen=True)
class ReviewerProfile:
    reviewer_id: int
    name: str
    employer_uscc: str | None = None
    industry: str | None = None
    district: str | None = None
    employments: tuple[Employment, ...] = ()
    relationships: tuple[DeclaredRelationship, ...] = ()
    engagements: tuple[Engagement, ...] = ()
    shareholdings: tuple[Shareholding, ...] = ()
    # Application ids the person declared a conflict with.
    self_declared_conflicts: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ApplicantProfile:
    application_id: int
    organization_uscc: str
    organization_name: str
    related_usccs: frozenset[str] = field(default_factory=frozenset)  # parent, subsidiaries
    industry: str = ""
    district: str = ""


@dataclass(frozen=True)
class ConflictRules:
    employment_window_years: int = 3
    competitor_same_industry_and_district: bool = False

    def __post_init__(self) -> None:
        if self.employment_window_years < 0:
            raise ValueError("employment_window_years must not be negative")


@dataclass(frozen=True)
class Conflict:
    reviewer_id: int
    application_id: int
    rule: str  # one of RULE_IDS
    reason: str


def years_before(day: date, years: int) -> date:
    """``day`` moved back by whole calendar years; 29 February becomes 28 February.

    Subtracting ``365 * years`` days would drift by the leap days in between,
    and ``date.replace`` alone raises for 29 February in a non-leap year.
    """
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # only 29 February can fail
        return day.replace(year=day.year - years, day=28)


def _norm_uscc(uscc: str | None) -> str:
    # USCCs are 18 upper-case characters; stored data is not always tidy.
    return (uscc or "").strip().upper()


def _norm_text(text: str | None) -> str:
    return (text or "").strip().casefold()


def _applicant_orgs(applicant: ApplicantProfile) -> dict[str, str]:
    """USCC → suffix for a reason: empty for the applicant, the link for a related org."""
    own = _norm_uscc(applicant.organization_uscc)
    orgs = {
        _norm_uscc(uscc): (
            f", a related organization of {applicant.organization_name} "
            f"({applicant.organization_uscc})"
        )
        for uscc in applicant.related_usccs
        if _norm_uscc(uscc)
    }
    orgs[own] = ""
    return orgs


def _employment_conflicts(
    reviewer: ReviewerProfile,
    applicant: ApplicantProfile,
    window_years: int,
    today: date,
) -> list[str]:
    orgs = _applicant_orgs(applicant)
    cutoff = years_before(today, window_years)
    reasons: list[str] = []
    current_usccs: set[str] = set()
    for job in reviewer.employments:
        uscc = _norm_uscc(job.organization_uscc)
        if uscc not in orgs:
            continue
        who = f"{job.organization_name} ({job.organization_uscc})"
        if job.end is None:
            current_usccs.add(uscc)
            reasons.append(f"currently employed by {who} since {job.start.isoformat()}{orgs[uscc]}")
        elif job.end >= cutoff:
            reasons.append(
                f"employed by {who} until {job.end.isoformat()}, within the "
                f"{window_years}-year window{orgs[uscc]}"
            )
    # The profile's current employer counts even without an employment record.
    employer = _norm_uscc(reviewer.employer_uscc)
    if employer in orgs and employer not in current_usccs:
        reasons.append(
            f"currently employed by {reviewer.employer_uscc} (current employer){orgs[employer]}"
        )
    return reasons


def _relationship_conflicts(reviewer: ReviewerProfile, applicant: ApplicantProfile) -> list[str]:
    orgs = _applicant_orgs(applicant)
    reasons = []
    for rel in reviewer.relationships:
        uscc = _norm_uscc(rel.organization_uscc)
        if uscc in orgs:
            note = f": {rel.note}" if rel.note else ""
            # Name the applicant itself; a related organization is known by its USCC only.
            target = rel.organization_uscc
            if uscc == _norm_uscc(applicant.organization_uscc):
                target = f"{applicant.organization_name} ({rel.organization_uscc})"
            reasons.append(f"declared relationship '{rel.kind}' with {target}{orgs[uscc]}{note}")
    return reasons


def _consulting_conflicts(
    reviewer: ReviewerProfile, applicant: ApplicantProfile, window_years: int, today: date
) -> list[str]:
    orgs = _applicant_orgs(applicant)
    cutoff = years_before(today, window_years)
    reasons = []
    for work in reviewer.engagements:
        uscc = _norm_uscc(work.organization_uscc)
        if uscc not in orgs or (work.end is not None and work.end < cutoff):
            continue
        who = f"{work.organization_name} ({work.organization_uscc})"
        until = ("ongoing" if work.end is None else
                 f"until {work.end.isoformat()}, within the {window_years}-year window")
        reasons.append(f"{work.kind} work for {who} since {work.start.isoformat()}, "
                       f"{until}{orgs[uscc]}")
    return reasons


def _shareholding_conflicts(reviewer: ReviewerProfile, applicant: ApplicantProfile) -> list[str]:
    orgs = _applicant_orgs(applicant)
    reasons = []
    for held in reviewer.shareholdings:
        uscc = _norm_uscc(held.organization_uscc)
        if uscc in orgs:
            share = f" ({held.share})" if held.share else ""
            reasons.append(f"holds shares{share} in {held.organization_name} "
                           f"({held.organization_uscc}){orgs[uscc]}")
    return reasons


def _competitor_conflicts(reviewer: ReviewerProfile, applicant: ApplicantProfile) -> list[str]:
    employer = _norm_uscc(reviewer.employer_uscc)
    if not employer or employer in _applicant_orgs(applicant):
        return []
    industry, district = _norm_text(reviewer.industry), _norm_text(reviewer.district)
    if not industry or not district:
        return []  # unknown industry or district: no basis to call it a competitor
    if industry != _norm_text(applicant.industry) or district != _norm_text(applicant.district):
        return []
    return [
        f"current employer {reviewer.employer_uscc} is a competitor: same industry "
        f"({applicant.industry}) and district ({applicant.district}) as "
        f"{applicant.organization_name} ({applicant.organization_uscc})"
    ]


def find_conflicts(
    reviewer: ReviewerProfile,
    applicant: ApplicantProfile,
    rules: ConflictRules,
    today: date,
) -> list[Conflict]:
    """Every conflict between one reviewer and one application, in rule order.

    One :class:`Conflict` per matching record, so a reviewer with two relevant
    employments gets two ``employment`` conflicts, each with its own reason.
    """
    found: list[tuple[str, str]] = []
    for reason in _employment_conflicts(reviewer, applicant, rules.employment_window_years, today):
        found.append((RULE_EMPLOYMENT, reason))
    for reason in _relationship_conflicts(reviewer, applicant):
        found.append((RULE_RELATIONSHIP, reason))
    if rules.competitor_same_industry_and_district:
        for reason in _competitor_conflicts(reviewer, applicant):
            found.append((RULE_COMPETITOR, reason))
    for reason in _consulting_conflicts(reviewer, applicant, rules.employment_window_years,
                                        today):
        found.append((RULE_CONSULTING, reason))
    for reason in _shareholding_conflicts(reviewer, applicant):
        found.append((RULE_SHAREHOLDING, reason))
    if applicant.application_id in reviewer.self_declared_conflicts:
        found.append(
            (RULE_SELF_DECLARED, "the person declared a conflict with the application")
        )
    return [
        Conflict(reviewer.reviewer_id, applicant.application_id, rule, reason)
        for rule, reason in found
    ]


def conflict_matrix(
    reviewers: Iterable[ReviewerProfile],
    applicants: Iterable[ApplicantProfile],
    rules: ConflictRules,
    today: date,
) -> dict[tuple[int, int], list[Conflict]]:
    """``(reviewer_id, application_id) → conflicts``, only for pairs that have any."""
    applicant_list = list(applicants)
    matrix: dict[tuple[int, int], list[Conflict]] = {}
    for reviewer in reviewers:
        for applicant in applicant_list:
            conflicts = find_conflicts(reviewer, applicant, rules, today)
            if conflicts:
                matrix[(reviewer.reviewer_id, applicant.application_id)] = conflicts
    return matrix


@dataclass(frozen=True)
class ConflictIndex:
    """The pool indexed by what can link a reviewer to an applicant: the organizations of
    their employments, declared relationships and employer, their employer's market
    (industry, district) and their own declarations. Checking an applicant then looks at
    the few reviewers linked to it instead of the whole pool (the pool × applications
    product is what made assignment of a large cycle slow)."""

    by_uscc: Mapping[str, tuple[ReviewerProfile, ...]]
    by_market: Mapping[tuple[str, str], tuple[ReviewerProfile, ...]]
    by_declaration: Mapping[int, tuple[ReviewerProfile, ...]]

    @classmethod
    def build(cls, reviewers: Iterable[ReviewerProfile]) -> ConflictIndex:
        by_uscc: dict[str, list[ReviewerProfile]] = defaultdict(list)
        by_market: dict[tuple[str, str], list[ReviewerProfile]] = defaultdict(list)
        by_declaration: dict[int, list[ReviewerProfile]] = defaultdict(list)
        for reviewer in reviewers:
            linked = {_norm_uscc(e.organization_uscc) for e in reviewer.employments}
            linked |= {_norm_uscc(r.organization_uscc) for r in reviewer.relationships}
            linked |= {_norm_uscc(w.organization_uscc) for w in reviewer.engagements}
            linked |= {_norm_uscc(h.organization_uscc) for h in reviewer.shareholdings}
            linked.add(_norm_uscc(reviewer.employer_uscc))
            for uscc in linked - {""}:
                by_uscc[uscc].append(reviewer)
            market = (_norm_text(reviewer.industry), _norm_text(reviewer.district))
            if all(market) and _norm_uscc(reviewer.employer_uscc):
                by_market[market].append(reviewer)
            for application_id in reviewer.self_declared_conflicts:
                by_declaration[application_id].append(reviewer)
        freeze = lambda d: {k: tuple(v) for k, v in d.items()}  # noqa: E731
        return cls(freeze(by_uscc), freeze(by_market), freeze(by_declaration))

    def candidates(self, applicant: ApplicantProfile,
                   rules: ConflictRules) -> list[ReviewerProfile]:
        """Every reviewer who could conflict with ``applicant``, each once, by id."""
        found: dict[int, ReviewerProfile] = {}
        for uscc in _applicant_orgs(applicant):
            for reviewer in self.by_uscc.get(uscc, ()):
                found.setdefault(reviewer.reviewer_id, reviewer)
        if rules.competitor_same_industry_and_district:
            market = (_norm_text(applicant.industry), _norm_text(applicant.district))
            for reviewer in self.by_market.get(market, ()):
                found.setdefault(reviewer.reviewer_id, reviewer)
        for reviewer in self.by_declaration.get(applicant.application_id, ()):
            found.setdefault(reviewer.reviewer_id, reviewer)
        return [found[key] for key in sorted(found)]

    def conflicts(self, applicant: ApplicantProfile, rules: ConflictRules,
                  today: date) -> list[Conflict]:
        """The same conflicts ``find_conflicts`` gives over the whole pool."""
        return [conflict for reviewer in self.candidates(applicant, rules)
                for conflict in find_conflicts(reviewer, applicant, rules, today)]
