"""Appointments and the practice's time zone

Revision ID: 0012_appointments
Revises: 0011_ledger_pull_lease
"""

revision = "0012_appointments"
down_revision = "0011_ledger_pull_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
