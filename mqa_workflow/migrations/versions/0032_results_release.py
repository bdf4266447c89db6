"""results release: when the office released a cycle's results to the applicants

Revision ID: 0032
Revises: 0030
Create Date: 2026-12-01 08:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0032'
down_revision: str | Sequence[str] | None = '0030'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('award_cycles', sa.Column('results_released_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('award_cycles', schema=None) as batch_op:
        batch_op.drop_column('results_released_at')
