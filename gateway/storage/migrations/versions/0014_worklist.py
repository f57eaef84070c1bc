"""The batch worklist

Revision ID: 0014_worklist
Revises: 0013_eligibility_batches
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_worklist"
down_revision = "0013_eligibility_batches"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "worklist_items",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("practice_id", sa.String(36), sa.ForeignKey("practices.id"), nullable=False),
        sa.Column("batch_id", sa.String(36), nullable=False),
        sa.Column("check_id", sa.String(36), nullable=False),
        sa.Column("patient_id", sa.String(36), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("coverage_id", sa.String(36), sa.ForeignKey("coverages.id"), nullable=True),
        sa.Column("payer_id", sa.String(63), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("resolved_by", sa.String(36), nullable=True),
        sa.Column("resolved_at", STAMP, nullable=True),
        sa.UniqueConstraint("check_id", "kind"),
    )
    op.create_index(
        "ix_worklist_items_batch_kind",
        "worklist_items",
        ["practice_id", "batch_id", "kind", "id"],
    )
    op.create_index("ix_worklist_items_patient", "worklist_items", ["practice_id", "patient_id"])


def downgrade() -> None:
    op.drop_index("ix_worklist_items_patient", table_name="worklist_items")
    op.drop_index("ix_worklist_items_batch_kind", table_name="worklist_items")
    op.drop_table("worklist_items")
