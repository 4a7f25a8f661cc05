"""encrypted columns: the columns kefu.privacy.crypto encrypts become TEXT (a ciphertext is
longer than its plaintext, and JSON is stored as encrypted text). Values already stored stay
readable as plaintext; `kefu privacy rotate-key` encrypts them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 07:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# table -> [(column, type before, nullable)]
COLUMNS = {
    'customers': [('phone', sa.String(length=40), True)],
    'addresses': [('address1', sa.String(length=200), False),
                  ('address2', sa.String(length=200), False)],
    'orders': [('shipping_address', sa.JSON(), False)],
    'conversations': [('state', sa.JSON(), False)],
    'audit_log': [('arguments', sa.JSON(), False), ('before', sa.JSON(), False),
                  ('after', sa.JSON(), False)],
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, before, nullable in columns:
                batch_op.alter_column(name, existing_type=before, type_=sa.Text(),
                                      existing_nullable=nullable,
                                      postgresql_using=f'"{name}"::text')


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, before, nullable in columns:
                using = f'"{name}"::json' if isinstance(before, sa.JSON) else None
                batch_op.alter_column(name, existing_type=sa.Text(), type_=before,
                                      existing_nullable=nullable, postgresql_using=using)
