"""The practice's fee schedule

Revision ID: 0016_fee_schedule
Revises: 0015_coverage_hints
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_fee_schedule"
down_revision = "0015_coverage_hints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fee_schedule_entries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("practice_id", sa.String(36), sa.ForeignKey("practices.id"), nullable=False),
        sa.Column("payer_id", sa.String(63), nullable=False),
        sa.Column("procedure_code", sa.String(5), nullable=False),
        sa.Column("modifier", sa.String(2), nullable=False),
        sa.Column("allowed_amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(36), nullable=True),
        sa.UniqueConstraint(
            "practice_id", "payer_id", "procedure_code", "modifier", "effective_from"
        ),
    )
    op.create_index(
        "ix_fee_schedule_lookup", "fee_schedule_entries", ["practice_id", "procedure_code"]
    )


def downgrade() -> None:
    op.drop_index("ix_fee_schedule_lookup", table_name="fee_schedule_entries")
    op.drop_table("fee_schedule_entries")
