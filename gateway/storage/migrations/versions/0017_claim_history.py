"""Claims payers report for the practice's patients

Revision ID: 0017_claim_history
Revises: 0016_fee_schedule
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_claim_history"
down_revision = "0016_fee_schedule"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(12, 2)
STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "payer_reported_claims",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("practice_id", sa.String(36), sa.ForeignKey("practices.id"), nullable=False),
        sa.Column("payer_id", sa.String(63), nullable=False),
        sa.Column("claim_ref", sa.String(64), nullable=False),
        sa.Column("payer_claim_id", sa.String(50), nullable=True),
        sa.Column("control_number", sa.String(38), nullable=True),
        sa.Column("patient_id", sa.String(36), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("coverage_id", sa.String(36), sa.ForeignKey("coverages.id"), nullable=False),
        sa.Column("member_id", sa.String(80), nullable=False),
        sa.Column("submitted_claim_id", sa.String(36), sa.ForeignKey("claims.id"), nullable=True),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("category_code", sa.String(4), nullable=True),
        sa.Column("status_code", sa.String(8), nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("service_date_from", sa.Date(), nullable=True),
        sa.Column("service_date_to", sa.Date(), nullable=True),
        sa.Column("total_charge", MONEY, nullable=False),
        sa.Column("paid_amount", MONEY, nullable=True),
        sa.Column("patient_responsibility", MONEY, nullable=True),
        sa.Column("place_of_service", sa.String(4), nullable=True),
        sa.Column("diagnoses", sa.JSON(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("first_reported_at", STAMP, nullable=False),
        sa.Column("refreshed_at", STAMP, nullable=False),
        sa.UniqueConstraint("practice_id", "payer_id", "claim_ref"),
    )
    op.create_index(
        "ix_payer_reported_claims_service",
        "payer_reported_claims",
        ["practice_id", "service_date_from", "id"],
    )
    op.create_index(
        "ix_payer_reported_claims_payer_claim",
        "payer_reported_claims",
        ["practice_id", "payer_id", "payer_claim_id"],
    )
    op.create_index(
        "ix_payer_reported_claims_submitted", "payer_reported_claims", ["submitted_claim_id"]
    )
    op.create_table(
        "claim_history_refreshes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("practice_id", sa.String(36), sa.ForeignKey("practices.id"), nullable=False),
        sa.Column("payer_id", sa.String(63), nullable=False),
        sa.Column("next_refresh_at", STAMP, nullable=False),
        sa.Column("leased_until", STAMP, nullable=True),
        sa.Column("lease_owner", sa.String(32), nullable=True),
        sa.Column("last_refreshed_at", STAMP, nullable=True),
        sa.Column("refreshes", sa.Integer(), nullable=False),
        sa.Column("claims_reported", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.UniqueConstraint("practice_id", "payer_id"),
    )


def downgrade() -> None:
    op.drop_table("claim_history_refreshes")
    op.drop_index("ix_payer_reported_claims_submitted", table_name="payer_reported_claims")
    op.drop_index("ix_payer_reported_claims_payer_claim", table_name="payer_reported_claims")
    op.drop_index("ix_payer_reported_claims_service", table_name="payer_reported_claims")
    op.drop_table("payer_reported_claims")
