"""oeapi identifiers: a stable UUID on institutions, modules, learning units and runs

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-01 22:50:00

The OEAPI serves every object under a UUID that must never change (not on a restore, not when
database ids change) and never be reused. Existing rows get a fresh random UUID once, here.
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLES = ("institution", "module", "learning_unit", "offering")


def upgrade() -> None:
    connection = op.get_bind()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('uuid', sa.String(length=36), nullable=True))
        rows = sa.table(table, sa.column('id', sa.Integer), sa.column('uuid', sa.String))
        ids = connection.execute(sa.select(rows.c.id)).scalars().all()
        for row_id in ids:
            connection.execute(
                rows.update().where(rows.c.id == row_id).values(uuid=str(uuid.uuid4()))
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('uuid', existing_type=sa.String(length=36), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_uuid'), ['uuid'])


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_uuid'), type_='unique')
            batch_op.drop_column('uuid')
