"""frozen committee decisions; site-visit findings per issue to verify

Revision ID: 0031
Revises: 0032
Create Date: 2026-12-01 08:00:00

A decision taken before this revision is recovered from the audit trail (the
transition that took it, who and when, the votes as they stand) so every page
shows it from the new table. A free-text site-visit report becomes the overall
summary, and each issue the team was asked to verify gets a finding marked as
not recorded item by item (verified null), pointing to that summary.
"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0031'
down_revision: str | Sequence[str] | None = '0032'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DECIDING = {"award_grand": "grand", "announce_grand": "grand",
            "award_encouragement": "encouragement", "announce_encouragement": "encouragement",
            "decline_award": "none"}
LEGACY_FINDING = "（本报告早于逐项核查记录，见总体意见）"
_REFUSAL = "committee_decisions is written once"


def upgrade() -> None:
    op.create_table(
        'committee_decisions',
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('trigger', sa.String(length=60), nullable=False),
        sa.Column('eligible', sa.Integer(), nullable=False),
        sa.Column('recused', sa.Integer(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('notes', sa.JSON(), nullable=False),
        sa.Column('decided_by', sa.String(length=255), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                                name=op.f('fk_committee_decisions_application_id_applications')),
        sa.PrimaryKeyConstraint('application_id', name=op.f('pk_committee_decisions')),
    )
    with op.batch_alter_table('site_visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('findings', sa.JSON(), nullable=False,
                                      server_default='[]'))
    with op.batch_alter_table('site_visits', schema=None) as batch_op:
        batch_op.alter_column('findings', server_default=None)
    _recover_decisions()
    _split_reports()
    _protect_decisions()


def _recover_decisions() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT application_id, trigger, actor, at FROM audit_records "
        "WHERE application_id IS NOT NULL ORDER BY seq")).all()
    taken = {}
    for application_id, trigger, actor, at in rows:
        if trigger in DECIDING:
            taken[application_id] = (trigger, actor, at)
    decisions = sa.table(
        'committee_decisions', sa.column('application_id'), sa.column('outcome'),
        sa.column('trigger'), sa.column('eligible'), sa.column('recused'),
        sa.column('counts', sa.JSON()), sa.column('notes', sa.JSON()),
        sa.column('decided_by'), sa.column('decided_at'))
    for application_id, (trigger, actor, at) in taken.items():
        counts = {"grand": 0, "encouragement": 0, "none": 0}
        for choice, number in bind.execute(sa.text(
                "SELECT choice, count(*) FROM committee_votes WHERE application_id = :a "
                "GROUP BY choice"), {"a": application_id}):
            counts[choice] = number
        bind.execute(decisions.insert().values(
            application_id=application_id, outcome=DECIDING[trigger], trigger=trigger,
            eligible=sum(counts.values()), recused=0, counts=counts,
            notes=["recovered from the audit trail at revision 0031"],
            decided_by=actor, decided_at=at))


def _split_reports() -> None:
    bind = op.get_bind()
    for application_id, issues in bind.execute(sa.text(
            "SELECT application_id, issues_to_verify FROM site_visits "
            "WHERE reported_at IS NOT NULL")).all():
        issues = json.loads(issues) if isinstance(issues, str) else (issues or [])
        findings = [{"issue": issue, "verified": None, "finding": LEGACY_FINDING}
                    for issue in issues]
        bind.execute(sa.text("UPDATE site_visits SET findings = :f WHERE application_id = :a"),
                     {"f": json.dumps(findings, ensure_ascii=False), "a": application_id})


def _protect_decisions() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION committee_decisions_written_once() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{_REFUSAL}'; END; $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER committee_decisions_written_once BEFORE UPDATE OR DELETE
            ON committee_decisions FOR EACH ROW EXECUTE FUNCTION committee_decisions_written_once()
        """)
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER committee_decisions_no_{action.lower()} BEFORE {action}
                ON committee_decisions BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END
            """)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS committee_decisions_written_once "
                   "ON committee_decisions")
        op.execute("DROP FUNCTION IF EXISTS committee_decisions_written_once()")
    with op.batch_alter_table('site_visits', schema=None) as batch_op:
        batch_op.drop_column('findings')
    op.drop_table('committee_decisions')
