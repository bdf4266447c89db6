"""Synthetic but realistic award data for the demo: applicants, reviewers, committee."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, joinedload

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import add_user
from mqa_workflow.applicants.models import Organization, Project
from mqa_workflow.applicants.uscc import make_uscc
from mqa_workflow.applications.models import Application, ItemAnswer
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.reviews.models import ConflictProfile, PoolReviewer
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.models import CLASS_IDS

INDUSTRIES = ("电子信息", "生物医药", "新能源", "先进制造", "现代物流", "文化创意", "金融服务",
              "建筑工程", "公共服务", "生态环保")
DISTRICTS = ("福田区", "罗湖区", "南山区", "宝安区", "龙岗区", "龙华区", "坪山区", "光明区",
             "盐田区", "大鹏新区")
NAME_PARTS = ("华", "鹏", "前海", "海", "创", "智", "远", "泰", "新", "博", "康", "越")
PROJECTS = {"cultural": "城市文化客厅", "social": "社区嵌入式养老服务",
            "ecological": "海绵城市示范片区", "management": "智慧城管一网统管",
            "service": "一站式政务服务", "economic": ""}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
Identified = Organization | Project | Application | User
M = TypeVar("M", Application, User)


@dataclass
class Cast:
    admin: User
    contacts: dict[int, User]  # application id -> contact
    quality: dict[int, float]  # application id -> true quality (0-1)
    leniency: dict[int, float]  # reviewer id -> bias
    committee: list[User]
    operator: User


def _uscc(rng: random.Random) -> str:
    return make_uscc(f"914403{rng.randrange(10**11):011d}")


# Applicants written per INSERT batch: each table's rows of a batch go in one statement.
BATCH = 1000


@dataclass(frozen=True)
class _Applicant:
    """One synthetic applicant: its organization, application, answers and contact."""

    n: int
    award_class: str
    organization: dict[str, Any]
    project: str | None
    contact_name: str


def _applicant(rng: random.Random, n: int) -> _Applicant:
    """Draws from ``rng`` in the order the one-at-a-time set-up did, so a seed still
    gives the same cycle."""
    award_class = CLASS_IDS[n % len(CLASS_IDS)]
    industry = rng.choice(INDUSTRIES)
    brand = rng.choice(NAME_PARTS) + rng.choice(NAME_PARTS)
    uscc = _uscc(rng)
    organization = {"name": f"深圳市{brand}{industry[:2]}{n + 1:03d}有限公司", "uscc": uscc,
                    "industry": industry, "district": rng.choice(DISTRICTS)}
    # Economic is an organization award; the others (组织/项目奖) take either: here
    # every other round of them applies as the organization itself.
    for_project = award_class != "economic" and (n // len(CLASS_IDS)) % 2 == 0
    project = f"{PROJECTS[award_class]}项目（{n + 1}）" if for_project else None
    return _Applicant(n, award_class, organization, project,
                      f"{rng.choice(SURNAMES)}联络人{n + 1}")


def make_applicants(session: Session, rng: random.Random, cycle: AwardCycle,
                    count: int) -> tuple[list[Application], dict[int, User]]:
    """``count`` applicants, each an organization (with its project, for half of the
    non-economic classes) applying in ``cycle`` with every scored item answered, and one
    contact. What the commands check one at a time holds by construction here (valid
    USCCs, each organization new, the economic class without a project), and none of
    those commands writes an audit record, so the rows go in with one INSERT per table
    per :data:`BATCH` applicants; the database's own constraints still refuse a clash.
    Returns the applications (with their organizations loaded) and each one's contact."""
    applicants = [_applicant(rng, n) for n in range(count)]
    application_ids: list[int] = []
    contact_ids: list[int] = []
    for start in range(0, count, BATCH):
        batch = applicants[start:start + BATCH]
        ids, contacts = _insert_applicants(session, cycle, batch)
        application_ids += ids
        contact_ids += contacts
    applications = _load(session, Application, application_ids,
                         joinedload(Application.organization))
    users = _load(session, User, contact_ids)
    return applications, {a.id: u for a, u in zip(applications, users, strict=True)}


def _insert_applicants(session: Session, cycle: AwardCycle,
                       batch: list[_Applicant]) -> tuple[list[int], list[int]]:
    """One batch: organizations, projects, applications, answers and contacts, one
    INSERT each; the applications' and the contacts' ids, in the batch's order."""
    organizations = _insert(session, Organization, [a.organization for a in batch])
    with_project = [(a, org) for a, org in zip(batch, organizations, strict=True) if a.project]
    projects = dict(zip([a.n for a, _ in with_project], _insert(session, Project, [
        {"organization_id": org, "name": a.project} for a, org in with_project]),
        strict=True))
    applications = _insert(session, Application, [
        {"cycle_id": cycle.id, "award_class": a.award_class, "organization_id": org,
         "project_id": projects.get(a.n), "profile": f"{a.organization['name']}成立于"
                                                     f"{2000 + a.n % 20}年……"}
        for a, org in zip(batch, organizations, strict=True)])
    session.execute(insert(ItemAnswer), [
        {"application_id": application_id, "item_code": item.code,
         "text": f"围绕“{item.name}”，我们建立了……"}
        for a, application_id in zip(batch, applications, strict=True)
        for item in load_standard(a.award_class).scored_items()])
    contacts = _insert(session, User, [
        {"name": a.contact_name, "email": f"contact{a.n + 1}@demo.cn",
         "roles": [Role.APPLICANT_CONTACT.value], "organization_id": org}
        for a, org in zip(batch, organizations, strict=True)])
    return applications, contacts


def _insert(session: Session, model: type[Identified], rows: list[dict[str, Any]]
            ) -> list[int]:
    """Insert ``rows`` in one statement; their new ids, in the rows' order."""
    if not rows:
        return []
    return list(session.scalars(
        insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def _load(session: Session, model: type[M], ids: list[int], *options: Any) -> list[M]:
    """The rows of ``ids``, in that order (one SELECT per 500)."""
    found: dict[int, M] = {}
    for start in range(0, len(ids), 500):
        found.update((row.id, row) for row in session.scalars(
            select(model).where(model.id.in_(ids[start:start + 500])).options(*options)))
    return [found[id_] for id_ in ids]


def make_reviewers(session: Session, rng: random.Random, count: int,
                   organizations: list[Organization]) -> dict[int, float]:
    """The pool; about one reviewer in eight once worked for an applicant (a conflict).
    Inserted as :func:`make_applicants` does: users, pool entries and conflict profiles,
    one INSERT each (adding a reviewer writes no audit record either)."""
    users, pool, profiles, biases = [], [], [], []
    for n in range(count):  # draws from rng in the order the one-at-a-time set-up did
        users.append({"name": f"{rng.choice(SURNAMES)}专家{n + 1}",
                      "email": f"reviewer{n + 1}@demo.cn", "roles": [Role.REVIEWER.value]})
        classes = sorted({CLASS_IDS[n % 6], *rng.sample(CLASS_IDS, 2)})
        employments = []
        if organizations and rng.random() < 0.125:
            org = rng.choice(organizations)
            employments.append({"uscc": org.uscc, "name": org.name, "start": "2015-03-01",
                                "end": date(2025, rng.randrange(1, 12), 1).isoformat()})
        pool.append({"classes": classes, "industries": rng.sample(INDUSTRIES, 3),
                     "capacity": 8, "may_lead": (n // 6) % 3 == 0})
        profiles.append({"employments": employments, "industry": rng.choice(INDUSTRIES),
                         "district": rng.choice(DISTRICTS)})
        biases.append(rng.gauss(0, 0.05))
    ids = _insert(session, User, users)
    if ids:
        session.execute(insert(PoolReviewer), [row | {"user_id": id_}
                                               for row, id_ in zip(pool, ids, strict=True)])
        session.execute(insert(ConflictProfile), [
            row | {"user_id": id_} for row, id_ in zip(profiles, ids, strict=True)])
    return dict(zip(ids, biases, strict=True))


def make_committee(session: Session, rng: random.Random, size: int = 7) -> list[User]:
    return [add_user(session, name=f"{rng.choice(SURNAMES)}委员{n + 1}",
                     email=f"committee{n + 1}@demo.cn", roles=[Role.COMMITTEE_MEMBER])
            for n in range(size)]
