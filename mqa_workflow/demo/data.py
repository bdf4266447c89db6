"""Synthetic but realistic award data for the demo: applicants, reviewers, committee."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import add_user
from mqa_workflow.applicants.models import Organization
from mqa_workflow.applicants.service import add_organization
from mqa_workflow.applicants.uscc import make_uscc
from mqa_workflow.applications.models import Application
from mqa_workflow.applications.service import create_application, write_answers
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


def make_applicants(session: Session, rng: random.Random, cycle: AwardCycle,
                    count: int) -> tuple[list[Application], dict[int, User]]:
    applications, contacts = [], {}
    for n in range(count):
        award_class = CLASS_IDS[n % len(CLASS_IDS)]
        industry = rng.choice(INDUSTRIES)
        brand = rng.choice(NAME_PARTS) + rng.choice(NAME_PARTS)
        name = f"深圳市{brand}{industry[:2]}{n + 1:03d}有限公司"
        org = add_organization(session, name=name, uscc=_uscc(rng), industry=industry,
                               district=rng.choice(DISTRICTS))
        # Economic is an organization award; the others (组织/项目奖) take either: here
        # every other round of them applies as the organization itself.
        for_project = award_class != "economic" and (n // len(CLASS_IDS)) % 2 == 0
        project = f"{PROJECTS[award_class]}项目（{n + 1}）" if for_project else None
        application = create_application(session, cycle=cycle, award_class=award_class,
                                         organization=org, project_name=project)
        standard = load_standard(award_class)
        write_answers(session, application, profile=f"{org.name}成立于{2000 + n % 20}年……",
                      answers={i.code: f"围绕“{i.name}”，我们建立了……" for i in
                               standard.scored_items()})
        contacts[application.id] = add_user(
            session, name=f"{rng.choice(SURNAMES)}联络人{n + 1}", email=f"contact{n + 1}@demo.cn",
            roles=[Role.APPLICANT_CONTACT], organization_id=org.id)
        applications.append(application)
    return applications, contacts


def make_reviewers(session: Session, rng: random.Random, count: int,
                   organizations: list[Organization]) -> dict[int, float]:
    """The pool; about one reviewer in eight once worked for an applicant (a conflict)."""
    leniency = {}
    for n in range(count):
        user = add_user(session, name=f"{rng.choice(SURNAMES)}专家{n + 1}",
                        email=f"reviewer{n + 1}@demo.cn", roles=[Role.REVIEWER])
        classes = sorted({CLASS_IDS[n % 6], *rng.sample(CLASS_IDS, 2)})
        employments = []
        if organizations and rng.random() < 0.125:
            org = rng.choice(organizations)
            employments.append({"uscc": org.uscc, "name": org.name, "start": "2015-03-01",
                                "end": date(2025, rng.randrange(1, 12), 1).isoformat()})
        session.add(PoolReviewer(user_id=user.id, classes=classes,
                                 industries=rng.sample(INDUSTRIES, 3),
                                 capacity=8, may_lead=(n // 6) % 3 == 0))
        session.add(ConflictProfile(user_id=user.id, employments=employments,
                                    industry=rng.choice(INDUSTRIES),
                                    district=rng.choice(DISTRICTS)))
        leniency[user.id] = rng.gauss(0, 0.05)
    session.flush()
    return leniency


def make_committee(session: Session, rng: random.Random, size: int = 7) -> list[User]:
    return [add_user(session, name=f"{rng.choice(SURNAMES)}委员{n + 1}",
                     email=f"committee{n + 1}@demo.cn", roles=[Role.COMMITTEE_MEMBER])
            for n in range(size)]
