"""privacy: the record of data requests carried out (exports, erasures, retention runs)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 07:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'privacy_requests',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('actor', sa.String(length=120), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_privacy_requests_subject', 'privacy_requests', ['subject'])


def downgrade() -> None:
    op.drop_index('ix_privacy_requests_subject', table_name='privacy_requests')
    op.drop_table('privacy_requests')
