"""the team's agreed feedback on the consensus sheet (优势与改进机会, as agreed)

Revision ID: 0035_agreed_feedback
Revises: 0033
Create Date: 2026-12-01 14:00:00

The feedback report showed every reviewer's own notes; it now shows the text the team
agreed at consensus, which the leader writes. Sheets recorded before have none (empty).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0035_agreed_feedback'
down_revision: str | Sequence[str] | None = '0033'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('consensus_sheets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agreed_feedback', sa.JSON(), nullable=False,
                                      server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('consensus_sheets', schema=None) as batch_op:
        batch_op.drop_column('agreed_feedback')
