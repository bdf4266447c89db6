"""The demo's synthetic applicants and reviewers, inserted a table at a time, are what
the one-at-a-time commands would have made: every item answered, one contact per
applicant, a project for half of the organization-or-project classes, valid and distinct
USCCs, the same data for the same seed, and no audit record (those commands write none)."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import func, select

from mqa_workflow.accounts.models import User
from mqa_workflow.applicants.uscc import uscc_problem
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.db import Database
from mqa_workflow.demo import data
from mqa_workflow.reviews.models import ConflictProfile, PoolReviewer
from mqa_workflow.standards.loader import load_standard
from tests import factories
from tests.migrated import migrated_sqlite


def _made(tmp_path: Path, name: str, count: int, seed: int = 5) -> list[tuple[object, ...]]:
    database = Database(migrated_sqlite(tmp_path / f"{name}.sqlite3"))
    with database.session() as session:
        cycle = factories.cycle(session)
        rng = random.Random(seed)
        applications, contacts = data.make_applicants(session, rng, cycle, count)
        leniency = data.make_reviewers(session, rng, 9,
                                       [a.organization for a in applications])
        made = [(a.id, a.award_class, a.state, a.version, a.organization.name,
                 a.organization.uscc, a.project.name if a.project else None,
                 len(a.answers), contacts[a.id].email, contacts[a.id].organization_id,
                 contacts[a.id].roles) for a in applications]
        for application in applications:
            codes = {i.code for i in load_standard(application.award_class).scored_items()}
            assert {answer.item_code for answer in application.answers} == codes
            assert application.profile.startswith(application.organization.name)
            assert contacts[application.id].organization_id == application.organization_id
        assert sorted(leniency) == sorted(session.scalars(select(PoolReviewer.user_id)))
        assert sorted(leniency) == sorted(session.scalars(select(ConflictProfile.user_id)))
        assert all(u.roles == ["reviewer"] for u in session.scalars(
            select(User).where(User.id.in_(list(leniency)))))
        assert session.scalar(select(func.count()).select_from(AuditRecord)) == 0
    database.engine.dispose()
    return made


def test_the_synthetic_applicants_are_complete_and_the_same_for_a_seed(tmp_path: Path) -> None:
    made = _made(tmp_path, "first", 14)
    assert len(made) == 14 and [row[2] for row in made] == ["draft"] * 14
    assert {row[3] for row in made} == {1}
    usccs = [row[5] for row in made]
    assert len(set(usccs)) == 14 and not any(uscc_problem(str(u)) for u in usccs)
    projects = [row for row in made if row[6]]
    assert projects and all(row[1] != "economic" for row in projects)
    assert all(row[8] == f"contact{n + 1}@demo.cn" for n, row in enumerate(made))
    assert all(row[10] == ["applicant_contact"] for row in made)
    assert _made(tmp_path, "again", 14) == made
    assert _made(tmp_path, "other", 14, seed=6) != made
