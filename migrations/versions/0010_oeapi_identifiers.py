"""oeapi identifiers: a stable UUID on institutions, modules, learning units and runs

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-01 22:50:00

The OEAPI serves every object under a UUID that must never change (not on a restore, not when
database ids change) and never be reused. Existing rows get a fresh random UUID once, here.

No table is rebuilt (SQLite would refuse to drop a referenced table while foreign keys are on):
the column is added in place, filled, and made unique by a unique index. SQLite can add a NOT
NULL column only with a default, so there the column carries an empty default that the
application never relies on (every new row gets its UUID from the application).
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
    sqlite = connection.dialect.name == "sqlite"
    for table in TABLES:
        if sqlite:
            op.execute(f"ALTER TABLE {table} ADD COLUMN uuid VARCHAR(36) NOT NULL DEFAULT ''")
        else:
            op.add_column(table, sa.Column('uuid', sa.String(length=36), nullable=True))
        rows = sa.table(table, sa.column('id', sa.Integer), sa.column('uuid', sa.String))
        for row_id in connection.execute(sa.select(rows.c.id)).scalars().all():
            connection.execute(
                rows.update().where(rows.c.id == row_id).values(uuid=str(uuid.uuid4()))
            )
        if not sqlite:
            op.alter_column(table, 'uuid', existing_type=sa.String(length=36), nullable=False)
        op.create_index(op.f(f'ix_{table}_uuid'), table, ['uuid'], unique=True)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_index(op.f(f'ix_{table}_uuid'), table_name=table)
        op.execute(f"ALTER TABLE {table} DROP COLUMN uuid")
