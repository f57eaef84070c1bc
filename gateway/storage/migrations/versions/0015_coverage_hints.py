"""Other coverage found in 271s (coordination-of-benefits hints)

Revision ID: 0015_coverage_hints
Revises: 0014_worklist
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_coverage_hints"
down_revision = "0014_worklist"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "coverage_hints",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("practice_id", sa.String(36), sa.ForeignKey("practices.id"), nullable=False),
        sa.Column("patient_id", sa.String(36), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("reporting_payer_id", sa.String(63), nullable=False),
        sa.Column("other_payer_key", sa.String(80), nullable=False),
        sa.Column("other_payer_name", sa.String(80), nullable=False),
        sa.Column("other_payer_id", sa.String(80), nullable=True),
        sa.Column("member_id", sa.String(80), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("first_seen_at", STAMP, nullable=False),
        sa.Column("last_seen_at", STAMP, nullable=False),
        sa.UniqueConstraint("practice_id", "patient_id", "reporting_payer_id", "other_payer_key"),
    )
    op.create_index("ix_coverage_hints_patient", "coverage_hints", ["practice_id", "patient_id"])


def downgrade() -> None:
    op.drop_index("ix_coverage_hints_patient", table_name="coverage_hints")
    op.drop_table("coverage_hints")
