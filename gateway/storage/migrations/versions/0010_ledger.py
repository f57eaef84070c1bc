"""The practice's ledger: remittances, claim payments, service lines, adjustments, provider-level
adjustments and the remittance pull schedule; a claim's financial state and related claim; the
practice's automatic secondary claims switch; the claim outbox's lease owner

Revision ID: 0010_ledger
Revises: 0009_patient_activity
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_ledger"
down_revision = "0009_patient_activity"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(12, 2)
QUANTITY = sa.Numeric(12, 3)
STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "remittances",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("practice_id", sa.String(36), sa.ForeignKey("practices.id"), nullable=False),
        sa.Column("payer_id", sa.String(63), nullable=False),
        sa.Column("trace_number", sa.String(50), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("method_code", sa.String(8), nullable=False),
        sa.Column("payee_npi", sa.String(10), nullable=True),
        sa.Column("source", sa.String(12), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("received_at", STAMP, nullable=False),
        sa.Column("received_by", sa.String(36), nullable=True),
        sa.Column("raw_exchange", sa.JSON(), nullable=True),
        sa.UniqueConstraint("practice_id", "payer_id", "trace_number"),
    )
    op.create_index(
        "ix_remittances_practice_paid", "remittances", ["practice_id", "payment_date", "id"]
    )
    op.create_table(
        "remittance_claims",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("remittance_id", sa.String(36), sa.ForeignKey("remittances.id"), nullable=False),
        sa.Column("practice_id", sa.String(36), sa.ForeignKey("practices.id"), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("control_number", sa.String(38), nullable=True),
        sa.Column("payer_claim_id", sa.String(50), nullable=True),
        sa.Column("status_code", sa.String(4), nullable=False),
        sa.Column("charge", MONEY, nullable=False),
        sa.Column("paid", MONEY, nullable=False),
        sa.Column("patient_responsibility", MONEY, nullable=True),
        sa.Column("member_id", sa.String(80), nullable=True),
        sa.Column("service_date_from", sa.Date(), nullable=True),
        sa.Column("service_date_to", sa.Date(), nullable=True),
        sa.Column("remarks", sa.JSON(), nullable=False),
        sa.Column("match_state", sa.String(12), nullable=False),
        sa.Column("claim_id", sa.String(36), sa.ForeignKey("claims.id"), nullable=True),
        sa.Column("matched_at", STAMP, nullable=True),
        sa.Column("matched_by", sa.String(36), nullable=True),
        sa.UniqueConstraint("remittance_id", "ordinal"),
    )
    op.create_index("ix_remittance_claims_claim", "remittance_claims", ["claim_id"])
    op.create_index(
        "ix_remittance_claims_practice_match", "remittance_claims", ["practice_id", "match_state"]
    )
    op.create_table(
        "remittance_lines",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "remittance_claim_id",
            sa.String(36),
            sa.ForeignKey("remittance_claims.id"),
            nullable=False,
        ),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("procedure_code", sa.String(48), nullable=False),
        sa.Column("modifiers", sa.JSON(), nullable=False),
        sa.Column("units", QUANTITY, nullable=True),
        sa.Column("service_date", sa.Date(), nullable=True),
        sa.Column("charge", MONEY, nullable=False),
        sa.Column("allowed", MONEY, nullable=True),
        sa.Column("paid", MONEY, nullable=False),
        sa.Column("remarks", sa.JSON(), nullable=False),
        sa.UniqueConstraint("remittance_claim_id", "ordinal"),
    )
    op.create_table(
        "remittance_adjustments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "remittance_claim_id",
            sa.String(36),
            sa.ForeignKey("remittance_claims.id"),
            nullable=False,
        ),
        sa.Column("line_id", sa.String(36), sa.ForeignKey("remittance_lines.id"), nullable=True),
        sa.Column("group_code", sa.String(2), nullable=False),
        sa.Column("reason_code", sa.String(5), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("quantity", QUANTITY, nullable=True),
        sa.Column("remarks", sa.JSON(), nullable=False),
    )
    op.create_index(
        "ix_remittance_adjustments_claim", "remittance_adjustments", ["remittance_claim_id"]
    )
    op.create_table(
        "remittance_provider_adjustments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("remittance_id", sa.String(36), sa.ForeignKey("remittances.id"), nullable=False),
        sa.Column("reason_code", sa.String(4), nullable=False),
        sa.Column("reference", sa.String(50), nullable=True),
        sa.Column("amount", MONEY, nullable=False),
    )
    op.create_index(
        "ix_remittance_provider_adjustments_remittance_id",
        "remittance_provider_adjustments",
        ["remittance_id"],
    )
    op.create_table(
        "remittance_pulls",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("practice_id", sa.String(36), sa.ForeignKey("practices.id"), nullable=False),
        sa.Column("payer_id", sa.String(63), nullable=False),
        sa.Column("next_pull_at", STAMP, nullable=False),
        sa.Column("leased_until", STAMP, nullable=True),
        sa.Column("last_pulled_at", STAMP, nullable=True),
        sa.Column("last_paid_on", sa.Date(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.UniqueConstraint("practice_id", "payer_id"),
    )
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("financial_state", sa.String(20), nullable=True))
        batch.add_column(sa.Column("related_claim_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("relation", sa.String(12), nullable=True))
        batch.create_foreign_key(
            "fk_claims_related_claim_id", "claims", ["related_claim_id"], ["id"]
        )
    with op.batch_alter_table("claim_outbox") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(32), nullable=True))
    with op.batch_alter_table("practices") as batch:
        batch.add_column(
            sa.Column(
                "auto_secondary_claims", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("practices") as batch:
        batch.drop_column("auto_secondary_claims")
    with op.batch_alter_table("claim_outbox") as batch:
        batch.drop_column("lease_owner")
    with op.batch_alter_table("claims") as batch:
        batch.drop_constraint("fk_claims_related_claim_id", type_="foreignkey")
        batch.drop_column("relation")
        batch.drop_column("related_claim_id")
        batch.drop_column("financial_state")
    op.drop_table("remittance_pulls")
    op.drop_index(
        "ix_remittance_provider_adjustments_remittance_id",
        table_name="remittance_provider_adjustments",
    )
    op.drop_table("remittance_provider_adjustments")
    op.drop_index("ix_remittance_adjustments_claim", table_name="remittance_adjustments")
    op.drop_table("remittance_adjustments")
    op.drop_table("remittance_lines")
    op.drop_index("ix_remittance_claims_practice_match", table_name="remittance_claims")
    op.drop_index("ix_remittance_claims_claim", table_name="remittance_claims")
    op.drop_table("remittance_claims")
    op.drop_index("ix_remittances_practice_paid", table_name="remittances")
    op.drop_table("remittances")
