"""payer_message: a claim status entry keeps the payer's own words apart from the gateway's

The payer's free text (STC12, a ClaimResponse disposition, a rejection's message) may name the
member; it is shown only to callers holding phi:read, while ``message`` holds the gateway's words.

Revision ID: 0008_payer_message
Revises: 0007_challenges_notifications
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_payer_message"
down_revision = "0007_challenges_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "claim_status_history", sa.Column("payer_message", sa.String(2000), nullable=True)
    )
    # Until now one column held both; only the gateway wrote the submission entries. Everything else
    # may quote the payer, so it moves behind phi:read (a gateway note there moves with it: harmless).
    op.execute(
        "UPDATE claim_status_history SET payer_message = message, message = NULL "
        "WHERE source <> 'submission' AND message IS NOT NULL"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE claim_status_history SET message = substr(payer_message, 1, 500) "
        "WHERE message IS NULL AND payer_message IS NOT NULL"
    )
    with op.batch_alter_table("claim_status_history") as batch:
        batch.drop_column("payer_message")
