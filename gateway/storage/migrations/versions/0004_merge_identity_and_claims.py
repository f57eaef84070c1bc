"""Join the identity and claims branches into one line of history.

Revision ID: 0004_merge
Revises: 0002_identity, 0003_claims
"""

revision = "0004_merge"
down_revision = ("0002_identity", "0003_claims")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
