"""Batch eligibility jobs and their checks

Revision ID: 0013_eligibility_batches
Revises: 0012_appointments
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_eligibility_batches"
down_revision = "0012_appointments"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "eligibility_batches",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("practice_id", sa.String(36), sa.ForeignKey("practices.id"), nullable=False),
        sa.Column("requested_by", sa.String(36), nullable=True),
        sa.Column("idempotency_key", sa.String(100), nullable=False),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        sa.Column("schedule_date", sa.Date(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("retry_until", STAMP, nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("started_at", STAMP, nullable=True),
        sa.Column("finished_at", STAMP, nullable=True),
        sa.UniqueConstraint("practice_id", "idempotency_key"),
    )
    op.create_index(
        "ix_eligibility_batches_practice_created",
        "eligibility_batches",
        ["practice_id", "created_at"],
    )
    op.create_table(
        "eligibility_checks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "batch_id", sa.String(36), sa.ForeignKey("eligibility_batches.id"), nullable=False
        ),
        sa.Column("practice_id", sa.String(36), sa.ForeignKey("practices.id"), nullable=False),
        sa.Column("patient_id", sa.String(36), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("coverage_id", sa.String(36), sa.ForeignKey("coverages.id"), nullable=False),
        sa.Column("payer_id", sa.String(63), nullable=False),
        sa.Column("service_types", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", STAMP, nullable=False),
        sa.Column("lease_owner", sa.String(32), nullable=True),
        sa.Column("leased_until", STAMP, nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error_code", sa.String(40), nullable=True),
        sa.Column("last_error", sa.String(40), nullable=True),
        sa.Column("finished_at", STAMP, nullable=True),
        sa.UniqueConstraint("batch_id", "coverage_id"),
    )
    op.create_index(
        "ix_eligibility_checks_due",
        "eligibility_checks",
        ["state", "payer_id", "next_attempt_at"],
    )
    op.create_index(
        "ix_eligibility_checks_batch_state", "eligibility_checks", ["batch_id", "state"]
    )


def downgrade() -> None:
    op.drop_index("ix_eligibility_checks_batch_state", table_name="eligibility_checks")
    op.drop_index("ix_eligibility_checks_due", table_name="eligibility_checks")
    op.drop_table("eligibility_checks")
    op.drop_index("ix_eligibility_batches_practice_created", table_name="eligibility_batches")
    op.drop_table("eligibility_batches")
