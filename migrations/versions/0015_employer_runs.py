"""employer runs: enrolment details, seats left, certain to run; information requests

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 06:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
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
    op.create_table(
        "information_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("employer", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=2000), nullable=False),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_information_request_institution_id_institution"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offering.id"],
            name=op.f("fk_information_request_offering_id_offering"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_information_request")),
    )
    for column in ("institution_id", "offering_id", "sender"):
        op.create_index(
            op.f(f"ix_information_request_{column}"), "information_request", [column]
        )


def downgrade() -> None:
    op.drop_table("information_request")
    with op.batch_alter_table("offering") as batch:
        batch.drop_constraint("seats_left_not_negative", type_="check")
        for name in ("guaranteed", "enrol_phone", "enrol_email", "enrol_url", "seats_left"):
            batch.drop_column(name)
