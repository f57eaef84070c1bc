"""raw_exchange: the payer's raw request/response beside each claim status entry

Revision ID: 0005_raw_exchange
Revises: 0004_merge
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_raw_exchange"
down_revision = "0004_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claim_status_history", sa.Column("raw_exchange", sa.JSON(), nullable=True))


def downgrade() -> None:
    # batch mode: SQLite before 3.35 cannot drop a column in place.
    with op.batch_alter_table("claim_status_history") as batch:
        batch.drop_column("raw_exchange")
