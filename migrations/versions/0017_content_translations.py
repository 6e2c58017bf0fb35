"""content translations

A module's title, summary, description and learning outcomes, and each learning unit's title,
may be given in a second language (Dutch or English). Existing rows have none.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 09:00:00

No table is rebuilt (SQLite would refuse to drop a referenced table while foreign keys are on):
the column is added and dropped in place, as 0010 does.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLES = ("module", "learning_unit")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table, sa.Column("translations", sa.JSON(), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"ALTER TABLE {table} DROP COLUMN translations")
