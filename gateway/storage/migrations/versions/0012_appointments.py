"""Appointments and the practice's time zone

The practice's IANA time zone (default America/New_York) decides its "today" and "tomorrow";
appointments are kept once per EHR id, or per patient and start while not cancelled.

Revision ID: 0012_appointments
Revises: 0011_ledger_pull_lease
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_appointments"
down_revision = "0011_ledger_pull_lease"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)
NOT_CANCELLED = sa.text("status != 'cancelled'")


def upgrade() -> None:
    with op.batch_alter_table("practices") as batch:
        batch.add_column(
            sa.Column("time_zone", sa.String(64), nullable=False, server_default="America/New_York")
        )
    op.create_table(
        "appointments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("practice_id", sa.String(36), sa.ForeignKey("practices.id"), nullable=False),
        sa.Column("patient_id", sa.String(36), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("starts_at", STAMP, nullable=False),
        sa.Column("provider_npi", sa.String(10), nullable=False),
        sa.Column("location", sa.String(120), nullable=True),
        sa.Column("visit_type", sa.String(60), nullable=False),
        sa.Column("service_types", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=True),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.Column("created_by", sa.String(36), nullable=True),
        sa.UniqueConstraint("practice_id", "external_id"),
    )
    op.create_index(
        "ix_appointments_practice_start", "appointments", ["practice_id", "starts_at", "id"]
    )
    op.create_index("ix_appointments_patient_id", "appointments", ["patient_id"])
    op.create_index(
        "ux_appointments_patient_start",
        "appointments",
        ["practice_id", "patient_id", "starts_at"],
        unique=True,
        sqlite_where=NOT_CANCELLED,
        postgresql_where=NOT_CANCELLED,
    )
    op.create_table(
        "appointment_procedures",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "appointment_id", sa.String(36), sa.ForeignKey("appointments.id"), nullable=False
        ),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(5), nullable=False),
        sa.Column("units", sa.Numeric(12, 3), nullable=False),
        sa.Column("charge", sa.Numeric(12, 2), nullable=True),
        sa.UniqueConstraint("appointment_id", "ordinal"),
    )


def downgrade() -> None:
    op.drop_table("appointment_procedures")
    op.drop_index("ux_appointments_patient_start", table_name="appointments")
    op.drop_index("ix_appointments_patient_id", table_name="appointments")
    op.drop_index("ix_appointments_practice_start", table_name="appointments")
    op.drop_table("appointments")
    with op.batch_alter_table("practices") as batch:
        batch.drop_column("time_zone")
