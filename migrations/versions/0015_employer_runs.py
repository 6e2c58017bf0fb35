"""employer runs: enrolment details, seats left, certain to run

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07 06:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offering") as batch:
        batch.add_column(sa.Column("seats_left", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("enrol_url", sa.String(length=500), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("enrol_email", sa.String(length=254), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("enrol_phone", sa.String(length=40), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("guaranteed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_check_constraint("seats_left_not_negative", "seats_left >= 0")


def downgrade() -> None:
    with op.batch_alter_table("offering") as batch:
        batch.drop_constraint("seats_left_not_negative", type_="check")
        for name in ("guaranteed", "enrol_phone", "enrol_email", "enrol_url", "seats_left"):
            batch.drop_column(name)
