"""Conflict profiles (回避信息) of people — pool reviewers and committee members alike.

A profile holds what the conflict rules (``reviews.conflicts``) need: current and past
employers with dates, declared relationships with an organization, consulting or coaching
work (咨询/辅导) with dates, shareholdings, and the person's own industry and district
(the competitor rule). Saving one checks the person against every application still in
review at once, in the same transaction: a conflict found is recorded, the person
withdrawn from the application's teams and replaced (``reviews.assignment_service``).

Bulk import reads CSV or XLSX with one row per record (``KIND`` column), validates every
row, and stores nothing unless every row is good.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import get_user
from mqa_workflow.applicants.models import Organization
from mqa_workflow.applicants.service import set_organization_fields
from mqa_workflow.applicants.uscc import make_uscc, normalise_uscc, uscc_problem
from mqa_workflow.applications.models import Application
from mqa_workflow.audit import service as audit
from mqa_workflow.clock import now
from mqa_workflow.errors import InvalidInputError, NotFoundError, TransitionRefusedError
from mqa_workflow.reviews.assignment_service import replace_withdrawn
from mqa_workflow.reviews.conflict_checks import active_application_ids, check_conflicts
from mqa_workflow.reviews.models import ConflictProfile

# What each list of a profile holds: its fields, which are required, which are dates.
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "employments": ("uscc", "name", "start", "end"),
    "relationships": ("uscc", "kind", "note"),
    "engagements": ("uscc", "name", "kind", "start", "end"),
    "shareholdings": ("uscc", "name", "share"),
}
_REQUIRED = {
    "employments": ("uscc", "name", "start"),
    "relationships": ("uscc", "kind"),
    "engagements": ("uscc", "name", "kind", "start"),
    "shareholdings": ("uscc", "name"),
}
_DATES = ("start", "end")
ENGAGEMENT_KINDS = ("咨询", "辅导")
SCALARS = ("employer_uscc", "industry", "district")


@dataclass
class ProfileData:
    """A profile as entered, before it is stored."""

    employer_uscc: str | None = None
    industry: str | None = None
    district: str | None = None
    employments: list[dict[str, Any]] = field(default_factory=list)
    relationships: list[dict[str, Any]] = field(default_factory=list)
    engagements: list[dict[str, Any]] = field(default_factory=list)
    shareholdings: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, profile: ConflictProfile | None) -> ProfileData:
        if profile is None:
            return cls()
        return cls(profile.employer_uscc, profile.industry, profile.district,
                   *(list(getattr(profile, name)) for name in RECORD_FIELDS))

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in (*SCALARS, *RECORD_FIELDS)}


def _usccs_problem(value: str) -> str | None:
    return uscc_problem(normalise_uscc(value))


def record_problems(kind: str, record: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """One record of a profile list, tidied, and what is wrong with it."""
    problems = []
    tidy: dict[str, Any] = {}
    for name in RECORD_FIELDS[kind]:
        value = record.get(name)
        value = "" if value is None else str(value).strip()
        if name in _REQUIRED[kind] and not value:
            problems.append(f"{name} is missing")
            continue
        if name == "uscc" and value and (problem := _usccs_problem(value)):
            problems.append(f"uscc {value!r}: {problem}")
        if name in _DATES and value:
            value = value[:10]  # spreadsheets hand dates as "2020-01-01 00:00:00"
            try:
                date.fromisoformat(value)
            except ValueError:
                problems.append(f"{name} {value!r}: write YYYY-MM-DD")
        if name == "kind" and kind == "engagements" and value and value not in ENGAGEMENT_KINDS:
            problems.append(f"kind {value!r}: one of {', '.join(ENGAGEMENT_KINDS)}")
        tidy[name] = normalise_uscc(value) if name == "uscc" and value else (value or None)
    if not problems and tidy.get("end") and tidy["end"] < tidy["start"]:
        problems.append(f"end {tidy['end']} is before start {tidy['start']}")
    for name in ("note", "share"):
        if name in tidy and tidy[name] is None:
            tidy[name] = ""
    return tidy, problems


def profile_problems(data: ProfileData) -> tuple[ProfileData, list[str]]:
    """The profile tidied, and every problem in it (each named by its list and number)."""
    problems = []
    if data.employer_uscc and (problem := _usccs_problem(data.employer_uscc)):
        problems.append(f"employer_uscc {data.employer_uscc!r}: {problem}")
    tidy = ProfileData(normalise_uscc(data.employer_uscc) if data.employer_uscc else None,
                       (data.industry or "").strip() or None,
                       (data.district or "").strip() or None)
    for kind in RECORD_FIELDS:
        for n, record in enumerate(getattr(data, kind), start=1):
            if not isinstance(record, Mapping):
                problems.append(f"{kind} {n}: must be an object")
                continue
            clean, wrong = record_problems(kind, record)
            problems += [f"{kind} {n}: {p}" for p in wrong]
            getattr(tidy, kind).append(clean)
    return tidy, problems


def set_conflict_profile(session: Session, person: User, data: ProfileData, *,
                         actor: str, recheck: bool = True) -> ConflictProfile:
    """Store a person's whole conflict profile (replacing the old one), audited, and check
    them against every application in review at once (``recheck=False``: the caller
    checks, as the bulk import does once for everyone)."""
    tidy, problems = profile_problems(data)
    if problems:
        raise InvalidInputError(f"the conflict profile of {person.name} is refused", problems)
    profile = session.get(ConflictProfile, person.id) or ConflictProfile(user_id=person.id)
    for name, value in tidy.as_dict().items():
        setattr(profile, name, value)
    profile.updated_at = now()
    session.add(profile)
    session.flush()
    audit.append(session, actor=actor, trigger="conflict_profile",
                 reason=f"conflict profile of {person.email} saved",
                 data={"person": person.id, "records": {k: len(getattr(tidy, k))
                                                        for k in RECORD_FIELDS}})
    if recheck:
        recheck_people(session, [person.id])
    return profile


def recheck_people(session: Session, user_ids: Sequence[int]) -> list[int]:
    """Check these people against every application in review, now; withdraw and replace
    where a conflict is found. Returns the applications that lost a reviewer."""
    lost = check_conflicts(session, active_application_ids(session), people=user_ids)
    for application_id in lost:
        application = session.get(Application, application_id)
        if application is not None:
            replace_withdrawn(session, application)
    return lost


def recheck_organization(session: Session, organization: Organization) -> list[int]:
    """An applicant's data changed: check its applications in review (and those of its
    parent and subsidiaries, whose relations changed with it) now, replacing at once."""
    usccs = {organization.uscc} | ({organization.parent_uscc} if organization.parent_uscc
                                   else set())
    related = select(Organization.id).where(
        (Organization.uscc.in_(usccs)) | (Organization.parent_uscc == organization.uscc))
    ids = set(session.scalars(select(Application.id).where(
        Application.organization_id.in_(related))))
    lost = check_conflicts(session, [i for i in active_application_ids(session) if i in ids])
    for application_id in lost:
        application = session.get(Application, application_id)
        if application is not None:
            replace_withdrawn(session, application)
    return lost


def update_organization(session: Session, organization: Organization,
                        **fields: Any) -> Organization:
    """Change an organization's data; its conflicts are checked again at once."""
    set_organization_fields(session, organization, **fields)
    # Checked now, in this transaction: a conflict found withdraws and replaces at once.
    recheck_organization(session, organization)
    return organization


def get_profile(session: Session, person: User) -> ProfileData:
    return ProfileData.of(session.get(ConflictProfile, person.id))


# --- bulk import ------------------------------------------------------------------------

# One row per record; the person is named by e-mail. KIND is one of:
#   profile      INDUSTRY, DISTRICT, USCC (= current employer)
#   employment   USCC, NAME, START, END
#   relationship USCC, KIND_DETAIL (亲属, 顾问 …), NOTE
#   engagement   USCC, NAME, KIND_DETAIL (咨询 / 辅导), START, END
#   shareholding USCC, NAME, NOTE (= the share)
IMPORT_COLUMNS = ("email", "kind", "uscc", "name", "detail", "start", "end", "industry",
                  "district", "note")
IMPORT_KINDS = {"profile": None, "employment": "employments", "relationship": "relationships",
                "engagement": "engagements", "shareholding": "shareholdings"}
_EMPLOYER, _OTHER = "91440300708461136T", make_uscc("91440300MA5F00002")
TEMPLATE_ROWS = (
    ("zhang@pool.cn", "profile", _EMPLOYER, "", "", "", "", "电子信息", "南山区",
     "当前任职单位、本人行业与所在区"),
    ("zhang@pool.cn", "employment", _EMPLOYER, "深圳某科技有限公司", "",
     "2018-01-01", "", "", "", "END 留空表示仍在职"),
    ("zhang@pool.cn", "relationship", _OTHER, "", "亲属", "", "", "", "",
     "配偶在该单位任职"),
    ("zhang@pool.cn", "engagement", _OTHER, "深圳某制造有限公司", "辅导",
     "2023-03-01", "2023-12-31", "", "", ""),
    ("zhang@pool.cn", "shareholding", _OTHER, "深圳某制造有限公司", "", "", "",
     "", "", "0.5%"),
)


@dataclass
class ImportResult:
    people: int
    records: int


def template_csv(columns: Sequence[str] = IMPORT_COLUMNS,
                 rows: Sequence[Sequence[str]] = TEMPLATE_ROWS) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def template_xlsx(columns: Sequence[str] = IMPORT_COLUMNS,
                  rows: Sequence[Sequence[str]] = TEMPLATE_ROWS,
                  title: str = "conflict profiles") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(list(columns))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_rows(filename: str, content: bytes, required: Sequence[str] = ("email", "kind")
              ) -> list[dict[str, str]]:
    """The rows of a CSV (UTF-8, with or without BOM) or XLSX file, keyed by header."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise InvalidInputError(f"{filename}: not a readable XLSX file ({error})") from None
        raw = [["" if v is None else (v.date().isoformat() if hasattr(v, "date") else str(v))
                for v in row] for row in book.active.iter_rows(values_only=True)]
    elif filename.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInputError(f"{filename}: save the CSV as UTF-8") from None
        raw = list(csv.reader(io.StringIO(text)))
    else:
        raise InvalidInputError(f"{filename}: import a .csv or .xlsx file")
    if not raw:
        raise InvalidInputError(f"{filename}: the file is empty")
    header = [h.strip().lower() for h in raw[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise InvalidInputError(f"{filename}: the header lacks {', '.join(missing)}; "
                                "download the template")
    return [{h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
            for row in raw[1:]]


def import_profiles(session: Session, rows: Sequence[Mapping[str, str]], *,
                    actor: str) -> ImportResult:
    """Replace the profiles of the people named in ``rows``. Every bad row is reported
    with its row number (the header is row 1) and nothing is stored unless all are good."""
    problems: list[str] = []
    profiles: dict[int, tuple[User, ProfileData]] = {}
    records = 0
    for number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue
        wrong = []
        person = None
        try:
            person = get_user(session, row.get("email", ""))
        except NotFoundError:
            wrong.append(f"no user {row.get('email', '')!r}")
        kind = row.get("kind", "").strip().lower()
        if kind not in IMPORT_KINDS:
            wrong.append(f"kind {kind!r}: one of {', '.join(IMPORT_KINDS)}")
        elif person is not None:
            target = profiles.setdefault(person.id, (person, ProfileData()))[1]
            wrong += _apply_row(target, kind, row)
            records += 1
        problems += [f"row {number}: {p}" for p in wrong]
    if problems:
        raise InvalidInputError("nothing was imported; fix these rows", problems)
    if not profiles:
        raise InvalidInputError("nothing to import: the file has no rows")
    for person, data in profiles.values():
        set_conflict_profile(session, person, data, actor=actor, recheck=False)
    recheck_people(session, list(profiles))  # everyone at once: one pass over the cycle
    return ImportResult(len(profiles), records)


def _apply_row(target: ProfileData, kind: str, row: Mapping[str, str]) -> list[str]:
    if kind == "profile":
        target.employer_uscc = row.get("uscc") or None
        target.industry, target.district = row.get("industry"), row.get("district")
        return [f"uscc {row['uscc']!r}: {problem}" for problem in
                [_usccs_problem(row["uscc"])] if row.get("uscc") and problem]
    list_name = IMPORT_KINDS[kind]
    assert list_name is not None
    record = {"uscc": row.get("uscc"), "name": row.get("name"), "start": row.get("start"),
              "end": row.get("end"), "kind": row.get("detail"), "note": row.get("note"),
              "share": row.get("note")}
    clean, wrong = record_problems(list_name, record)
    getattr(target, list_name).append(clean)
    return wrong


def may_edit(actor: User, person: User) -> None:
    """Administrators edit anyone's profile; a person may edit their own."""
    if actor.id != person.id and not actor.has_role(Role.ADMINISTRATOR):
        raise TransitionRefusedError(
            f"{actor.email} may not change the conflict profile of {person.email}; "
            "administrators or the person themselves may")


def only_administrators(actor: User) -> None:
    if not actor.has_role(Role.ADMINISTRATOR):
        raise TransitionRefusedError(f"{actor.email} is not an administrator")
