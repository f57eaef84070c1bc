"""Batch eligibility jobs and their checks

Revision ID: 0013_eligibility_batches
Revises: 0012_appointments
"""

revision = "0013_eligibility_batches"
down_revision = "0012_appointments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
