"""A small award world for the web tests: every role, one conflict, one application.

Built with the domain functions (as an administrator would with ``mqa`` commands);
the tests then drive it through the HTTP API or the pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import add_user, get_user
from mqa_workflow.applicants.service import add_organization
from mqa_workflow.applicants.uscc import make_uscc
from mqa_workflow.applications.service import create_application, write_answers
from mqa_workflow.cycles.service import create_cycle
from mqa_workflow.db import Database
from mqa_workflow.reviews.pool import add_pool_reviewer
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.states.engine import advance
from mqa_workflow.web.security import set_password
from mqa_workflow.worker.dispatch import dispatch_pending

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

PASSWORD = "correct-horse-battery"
USCC_A = make_uscc("91440300MA5F00101")
USCC_B = make_uscc("91440300MA5F00202")

# role key -> (name, e-mail, roles)
PEOPLE: dict[str, tuple[str, str, tuple[Role, ...]]] = {
    "admin": ("管理员", "admin@office.sz", (Role.ADMINISTRATOR,)),
    "applicant": ("李四", "li@corp-a.cn", (Role.APPLICANT_CONTACT,)),
    "other_applicant": ("王五", "wang@corp-b.cn", (Role.APPLICANT_CONTACT,)),
    "reviewer": ("专家一", "r1@pool.cn", (Role.REVIEWER,)),
    "reviewer2": ("专家二", "r2@pool.cn", (Role.REVIEWER,)),
    "conflicted": ("专家三", "r3@pool.cn", (Role.REVIEWER,)),
    "committee": ("委员", "c1@committee.cn", (Role.COMMITTEE_MEMBER,)),
    "operator": ("运维", "ops@office.sz", (Role.OPERATOR,)),
}


@dataclass
class World:
    database: Database
    cycle_id: int
    application_id: int  # organization A's, economic class
    other_application_id: int  # organization B's draft
    organization_id: int
    emails: dict[str, str] = field(default_factory=dict)


def answers() -> dict[str, str]:
    return {item.code: f"{item.name}：做法与成效……" for item in
            load_standard("economic").scored_items()}


def build(database: Database, *, to_review: bool = True, complete: bool = True) -> World:
    """The world; with ``to_review`` application A is submitted, found eligible and
    assigned its document-review team (reviewer leads, reviewer2; conflicted is not)."""
    with database.session() as session:
        org_a = add_organization(session, name="深圳甲精密制造有限公司", uscc=USCC_A,
                                 industry="先进制造", district="宝安区")
        org_b = add_organization(session, name="深圳乙电子有限公司", uscc=USCC_B,
                                 industry="电子信息", district="南山区")
        users: dict[str, User] = {}
        for key, (name, email, roles) in PEOPLE.items():
            organization = {"applicant": org_a, "other_applicant": org_b}.get(key)
            users[key] = add_user(session, name=name, email=email, roles=roles,
                                  organization_id=organization.id if organization else None)
            set_password(session, users[key], PASSWORD)
        for key, lead in (("reviewer", True), ("reviewer2", False), ("conflicted", False)):
            employments = ([{"uscc": USCC_A, "name": org_a.name, "start": "2019-01-01"}]
                           if key == "conflicted" else [])
            add_pool_reviewer(session, users[key], classes=["economic"], industries=["先进制造"],
                              capacity=8, may_lead=lead, employments=employments)
        cycle = create_cycle(session, year=2026, classes=["economic"], rules={
            "reviewers_per_application": 2, "site_visit_team_size": 2,
            "committee_quorum": 1, "site_visits_per_class": 1})
        application = create_application(session, cycle=cycle, award_class="economic",
                                         organization=org_a)
        if complete:
            write_answers(session, application, profile="组织概况：……", answers=answers())
        other = create_application(session, cycle=cycle, award_class="economic",
                                   organization=org_b)
        world = World(database, cycle.id, application.id, other.id, org_a.id,
                      {key: value[1] for key, value in PEOPLE.items()})
    dispatch_pending(database)
    if to_review:
        to_document_review(world)
    return world


def to_document_review(world: World) -> None:
    """Submit application A, find it eligible, and let the assignment task staff it."""
    steps = (("applicant", "submit"), ("admin", "begin_eligibility_check"),
             ("admin", "confirm_eligible"))
    for who, trigger in steps:
        with world.database.session() as session:
            advance(session, world.application_id, trigger,
                    get_user(session, world.emails[who]))
        dispatch_pending(world.database)  # the assignment task runs here



def bearer(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Sign in through the API; the bearer header of the new session. The client keeps
    no cookie, so each request says who it is by the header it is given."""
    answer = client.post("/api/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {answer.json()['token']}"}


@contextmanager
def signed_in_clients(world: World) -> Iterator[dict[str, TestClient]]:
    """One API client per person of the world, each signed in with a bearer token."""
    from fastapi.testclient import TestClient

    from mqa_workflow.web.app import create_app
    from tests.services import settling

    app = create_app(world.database)
    clients = {}
    for role in PEOPLE:
        client = settling(TestClient(app))
        client.headers.update(bearer(client, world.emails[role]))
        clients[role] = client
    try:
        yield clients
    finally:
        for client in clients.values():
            client.close()
        app.state.background.stop()
