"""Claims payers report for the practice's patients

Revision ID: 0017_claim_history
Revises: 0016_fee_schedule
"""

revision = "0017_claim_history"
down_revision = "0016_fee_schedule"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
