"""login challenges are single-use; notifications owed to the owners of email addresses

Revision ID: 0007_challenges_notifications
Revises: 0006_sealed_secrets
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_challenges_notifications"
down_revision = "0006_sealed_secrets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("login_challenge_id", sa.String(64), nullable=True))
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_notifications_email", "notifications", ["email"])


def downgrade() -> None:
    op.drop_index("ix_notifications_email", table_name="notifications")
    op.drop_table("notifications")
    # batch mode: SQLite before 3.35 cannot drop a column in place.
    with op.batch_alter_table("users") as batch:
        batch.drop_column("login_challenge_id")
