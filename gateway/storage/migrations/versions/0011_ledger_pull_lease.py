"""The remittance pull's lease owner: a pull's outcome is recorded only by the lease's holder;
claims looked up by the payer's claim number when a remittance is matched

Revision ID: 0011_ledger_pull_lease
Revises: 0010_ledger
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_ledger_pull_lease"
down_revision = "0010_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("remittance_pulls") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(32), nullable=True))
    op.create_index(
        "ix_claims_practice_payer_claim", "claims", ["practice_id", "payer_id", "payer_claim_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_claims_practice_payer_claim", table_name="claims")
    with op.batch_alter_table("remittance_pulls") as batch:
        batch.drop_column("lease_owner")
