"""Eligibility checks by card and by practice in time order: the worklist compares each finished
check with the card's last one (a full scan per check made a 10,000-check batch quadratic), and the
eligibility history pages newest first per practice.

Revision ID: 0019_eligibility_check_indexes
Revises: 0018_claim_lines
"""

from alembic import op

revision = "0019_eligibility_check_indexes"
down_revision = "0018_claim_lines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_eligibility_checks_coverage_finished",
        "eligibility_checks",
        ["coverage_id", "finished_at"],
    )
    op.create_index(
        "ix_eligibility_checks_practice_finished",
        "eligibility_checks",
        ["practice_id", "finished_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_eligibility_checks_practice_finished", table_name="eligibility_checks")
    op.drop_index("ix_eligibility_checks_coverage_finished", table_name="eligibility_checks")
