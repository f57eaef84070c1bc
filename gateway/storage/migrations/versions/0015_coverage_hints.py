"""Other coverage found in 271s (coordination-of-benefits hints)

Revision ID: 0015_coverage_hints
Revises: 0014_worklist
"""

revision = "0015_coverage_hints"
down_revision = "0014_worklist"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
