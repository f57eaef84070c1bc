"""claims: submitted claims, outbox, status history, remittances, webhooks and deliveries

Revision ID: 0003_claims
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_claims"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("practice_id", sa.String(length=36), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_webhooks_practice_id"), "webhooks", ["practice_id"], unique=False)
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("webhook_id", sa.String(length=36), nullable=False),
        sa.Column("practice_id", sa.String(length=36), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
        ),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["webhooks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["state", "next_attempt_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_webhook_deliveries_webhook_id"), "webhook_deliveries", ["webhook_id"], unique=False
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("practice_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("coverage_id", sa.String(length=36), nullable=False),
        sa.Column("payer_id", sa.String(length=63), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("control_number", sa.String(length=20), nullable=False),
        sa.Column("patient_account_number", sa.String(length=20), nullable=True),
        sa.Column("submission", sa.JSON(), nullable=False),
        sa.Column("total_charge", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("service_date_from", sa.Date(), nullable=False),
        sa.Column("service_date_to", sa.Date(), nullable=False),
        sa.Column("frequency_code", sa.String(length=1), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("category_code", sa.String(length=4), nullable=True),
        sa.Column("status_code", sa.String(length=8), nullable=True),
        sa.Column("payer_claim_id", sa.String(length=50), nullable=True),
        sa.Column("paid_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["coverage_id"],
            ["coverages.id"],
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("control_number"),
        sa.UniqueConstraint("practice_id", "idempotency_key"),
    )
    op.create_index("ix_claims_open_poll", "claims", ["state", "next_poll_at"], unique=False)
    op.create_index(op.f("ix_claims_patient_id"), "claims", ["patient_id"], unique=False)
    op.create_index(
        "ix_claims_practice_created", "claims", ["practice_id", "created_at", "id"], unique=False
    )
    op.create_table(
        "claim_outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("payer_id", sa.String(length=63), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claim_id"),
    )
    op.create_index(
        "ix_claim_outbox_due", "claim_outbox", ["state", "next_attempt_at"], unique=False
    )
    op.create_table(
        "claim_remittances",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("practice_id", sa.String(length=36), nullable=False),
        sa.Column("trace_number", sa.String(length=50), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("status_code", sa.String(length=4), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claim_id", "trace_number"),
    )
    op.create_table(
        "claim_status_history",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("practice_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("category_code", sa.String(length=4), nullable=True),
        sa.Column("category_description", sa.String(length=300), nullable=True),
        sa.Column("status_code", sa.String(length=8), nullable=True),
        sa.Column("status_description", sa.String(length=300), nullable=True),
        sa.Column("entity_code", sa.String(length=4), nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_claim_status_history_claim",
        "claim_status_history",
        ["claim_id", "recorded_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_claim_status_history_claim", table_name="claim_status_history")
    op.drop_table("claim_status_history")
    op.drop_table("claim_remittances")
    op.drop_index("ix_claim_outbox_due", table_name="claim_outbox")
    op.drop_table("claim_outbox")
    op.drop_index("ix_claims_practice_created", table_name="claims")
    op.drop_index(op.f("ix_claims_patient_id"), table_name="claims")
    op.drop_index("ix_claims_open_poll", table_name="claims")
    op.drop_table("claims")
    op.drop_index(op.f("ix_webhook_deliveries_webhook_id"), table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index(op.f("ix_webhooks_practice_id"), table_name="webhooks")
    op.drop_table("webhooks")
