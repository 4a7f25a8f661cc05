"""order actions: the fields order actions add to an order, and the audit log of writes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 04:25:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extra', sa.JSON(), nullable=False,
                                      server_default=sa.text("'{}'")))
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=120), nullable=False),
        sa.Column('customer_id', sa.String(length=64), nullable=True),
        sa.Column('conversation_id', sa.String(length=36), nullable=True),
        sa.Column('tool', sa.String(length=60), nullable=False),
        sa.Column('arguments', sa.JSON(), nullable=False),
        sa.Column('before', sa.JSON(), nullable=False),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('idempotency_key'),
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_customer_id', ['customer_id'], unique=False)
        batch_op.create_index('ix_audit_log_conversation_id', ['conversation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_conversation_id')
        batch_op.drop_index('ix_audit_log_customer_id')
    op.drop_table('audit_log')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('extra')
