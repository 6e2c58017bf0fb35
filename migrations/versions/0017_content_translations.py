"""content translations

A module's title, summary, description and learning outcomes, and each learning unit's title,
may be given in a second language (Dutch or English). Existing rows have none.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 09:00:00
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
        with op.batch_alter_table(table, schema=None) as batch:
            batch.add_column(
                sa.Column("translations", sa.JSON(), nullable=False, server_default="{}")
            )


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch:
            batch.drop_column("translations")
