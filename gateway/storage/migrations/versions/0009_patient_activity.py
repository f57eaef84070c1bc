"""patients.last_activity_at: the front desk's "recently seen" order; a birth-date index for
duplicate checks

Existing patients take their latest claim change, else their registration time.

Revision ID: 0009_patient_activity
Revises: 0008_payer_message
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_patient_activity"
down_revision = "0008_payer_message"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "patients", sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute(
        "UPDATE patients SET last_activity_at = COALESCE("
        "(SELECT MAX(claims.updated_at) FROM claims WHERE claims.patient_id = patients.id), "
        "created_at)"
    )
    with op.batch_alter_table("patients") as batch:
        batch.alter_column(
            "last_activity_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
    op.create_index(
        "ix_patients_practice_activity", "patients", ["practice_id", "last_activity_at", "id"]
    )
    op.create_index("ix_patients_practice_birth_date", "patients", ["practice_id", "birth_date"])


def downgrade() -> None:
    op.drop_index("ix_patients_practice_birth_date", table_name="patients")
    op.drop_index("ix_patients_practice_activity", table_name="patients")
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("last_activity_at")
