"""console: staff accounts and sessions, takeover, CSAT, feedback, intent corrections, experiments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 07:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'staff_users',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('display_name', sa.String(length=120), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('last_login_at', TZ, nullable=True),
        sa.Column('disabled_at', TZ, nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username'),
    )
    op.create_table(
        'staff_sessions',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('expires_at', TZ, nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index('ix_staff_sessions_user_id', 'staff_sessions', ['user_id'])
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_to', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_at', TZ, nullable=True))
        batch_op.add_column(sa.Column('handoff_at', TZ, nullable=True))
        batch_op.add_column(sa.Column('client_ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('experiment', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('csat_score', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('csat_comment', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_conversations_assigned_to', 'staff_users',
                                    ['assigned_to'], ['id'])
        batch_op.create_index('ix_conversations_assigned_to', ['assigned_to'], unique=False)
        batch_op.create_index('ix_conversations_status', ['status'], unique=False)
    op.create_table(
        'message_feedback',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('conversation_id', sa.String(length=36), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('rating', sa.String(length=8), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('conversation_id', 'seq'),
    )
    op.create_index('ix_message_feedback_conversation_id', 'message_feedback',
                    ['conversation_id'])
    op.create_table(
        'intent_corrections',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('conversation_id', sa.String(length=36), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.Column('detected', sa.String(length=60), nullable=True),
        sa.Column('intent', sa.String(length=60), nullable=False),
        sa.Column('corrected_by', sa.Integer(), nullable=True),
        sa.Column('created_at', TZ, nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['corrected_by'], ['staff_users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('conversation_id', 'seq'),
    )
    op.create_index('ix_intent_corrections_conversation_id', 'intent_corrections',
                    ['conversation_id'])
    op.create_table(
        'experiments',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('metric', sa.String(length=20), nullable=False),
        sa.Column('variants', sa.JSON(), nullable=False),
        sa.Column('min_samples', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('started_at', TZ, nullable=True),
        sa.Column('stopped_at', TZ, nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'experiment_assignments',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('experiment_id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=80), nullable=False),
        sa.Column('variant', sa.String(length=60), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('experiment_id', 'subject'),
    )


def downgrade() -> None:
    op.drop_table('experiment_assignments')
    op.drop_table('experiments')
    op.drop_index('ix_intent_corrections_conversation_id', table_name='intent_corrections')
    op.drop_table('intent_corrections')
    op.drop_index('ix_message_feedback_conversation_id', table_name='message_feedback')
    op.drop_table('message_feedback')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_status')
        batch_op.drop_index('ix_conversations_assigned_to')
        batch_op.drop_constraint('fk_conversations_assigned_to', type_='foreignkey')
        for column in ('csat_comment', 'csat_score', 'experiment', 'client_ref', 'handoff_at',
                       'assigned_at', 'assigned_to'):
            batch_op.drop_column(column)
    op.drop_index('ix_staff_sessions_user_id', table_name='staff_sessions')
    op.drop_table('staff_sessions')
    op.drop_table('staff_users')
