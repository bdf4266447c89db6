"""conflict profiles per person and no-conflict statements (回避承诺)

The conflict data of pool reviewers moves from ``reviewer_pool`` to
``conflict_profiles`` (committee members need it too), gaining consulting or
coaching work and shareholdings.

Revision ID: 0030
Revises: 0020
Create Date: 2026-12-01 07:40:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0030'
down_revision: str | Sequence[str] | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOVED = ('employer_uscc', 'industry', 'district', 'employments', 'relationships')


def upgrade() -> None:
    op.create_table('conflict_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('employer_uscc', sa.String(length=18), nullable=True),
    sa.Column('industry', sa.String(length=100), nullable=True),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.Column('employments', sa.JSON(), nullable=False),
    sa.Column('relationships', sa.JSON(), nullable=False),
    sa.Column('engagements', sa.JSON(), nullable=False),
    sa.Column('shareholdings', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_conflict_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_conflict_profiles'))
    )
    op.create_table('no_conflict_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('statement', sa.String(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                            name=op.f('fk_no_conflict_statements_application_id_applications'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_no_conflict_statements_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_no_conflict_statements')),
    sa.UniqueConstraint('user_id', 'application_id',
                        name=op.f('uq_no_conflict_statements_user_id'))
    )
    with op.batch_alter_table('no_conflict_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_no_conflict_statements_application_id'),
                              ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_no_conflict_statements_user_id'), ['user_id'],
                              unique=False)
    # Every pool reviewer's conflict data, moved as it is.
    op.execute(
        "INSERT INTO conflict_profiles (user_id, employer_uscc, industry, district, employments,"
        " relationships, engagements, shareholdings, updated_at) SELECT user_id, employer_uscc,"
        " industry, district, employments, relationships, '[]', '[]', CURRENT_TIMESTAMP"
        " FROM reviewer_pool")
    with op.batch_alter_table('reviewer_pool', schema=None) as batch_op:
        for column in _MOVED:
            batch_op.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table('reviewer_pool', schema=None) as batch_op:
        batch_op.add_column(sa.Column('employer_uscc', sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column('industry', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('district', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('employments', sa.JSON(), nullable=False,
                                      server_default='[]'))
        batch_op.add_column(sa.Column('relationships', sa.JSON(), nullable=False,
                                      server_default='[]'))
    for column in _MOVED:
        op.execute(f"UPDATE reviewer_pool SET {column} = (SELECT p.{column} FROM "
                   "conflict_profiles p WHERE p.user_id = reviewer_pool.user_id) WHERE EXISTS "
                   "(SELECT 1 FROM conflict_profiles p WHERE p.user_id = reviewer_pool.user_id)")
    with op.batch_alter_table('no_conflict_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_no_conflict_statements_user_id'))
        batch_op.drop_index(batch_op.f('ix_no_conflict_statements_application_id'))
    op.drop_table('no_conflict_statements')
    op.drop_table('conflict_profiles')
