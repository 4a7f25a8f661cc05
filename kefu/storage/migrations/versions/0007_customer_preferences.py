"""customer preferences: what customers said they like (kefu.profile)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 07:55:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'customer_preferences',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('customer_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('value', sa.String(length=120), nullable=False),
        sa.Column('polarity', sa.String(length=10), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('evidence', sa.String(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('customer_id', 'kind', 'value'),
    )
    op.create_index('ix_customer_preferences_customer_id', 'customer_preferences',
                    ['customer_id'])


def downgrade() -> None:
    op.drop_index('ix_customer_preferences_customer_id', table_name='customer_preferences')
    op.drop_table('customer_preferences')
