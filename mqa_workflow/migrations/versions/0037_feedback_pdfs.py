"""feedback_pdfs: the feedback report's PDF, rendered once at the release and kept

Revision ID: 0037_feedback_pdfs
Revises: 0036_invitations
Create Date: 2026-12-01 17:00:00

Rendering the PDF took 8-15 s per request; the decision is frozen once the results are
released, so the report is rendered then and the stored file served. Results released
before this change have no row: the first request renders and stores the file.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0037_feedback_pdfs'
down_revision: str | Sequence[str] | None = '0036_invitations'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('feedback_pdfs',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('rendered_at', sa.DateTime(), nullable=False),
    sa.Column('render_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                            name=op.f('fk_feedback_pdfs_application_id_applications'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['document_blobs.sha256'],
                            name=op.f('fk_feedback_pdfs_sha256_document_blobs')),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_feedback_pdfs'))
    )
    with op.batch_alter_table('feedback_pdfs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_pdfs_sha256'), ['sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('feedback_pdfs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_pdfs_sha256'))
    op.drop_table('feedback_pdfs')
