"""The practice's fee schedule

Revision ID: 0016_fee_schedule
Revises: 0015_coverage_hints
"""

revision = "0016_fee_schedule"
down_revision = "0015_coverage_hints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
