"""The batch worklist

Revision ID: 0014_worklist
Revises: 0013_eligibility_batches
"""

revision = "0014_worklist"
down_revision = "0013_eligibility_batches"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
