"""Submitted claims' service lines as rows (history exports read them with SQL); claims by service
date for export slices. Backfills the lines of every claim stored before it from its submission.

Revision ID: 0018_claim_lines
Revises: 0017_claim_history
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0018_claim_lines"
down_revision = "0017_claim_history"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    lines = op.create_table(
        "claim_lines",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("claim_id", sa.String(36), sa.ForeignKey("claims.id"), nullable=False),
        sa.Column("practice_id", sa.String(36), sa.ForeignKey("practices.id"), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("procedure_code", sa.String(48), nullable=False),
        sa.Column("modifiers", sa.String(20), nullable=True),
        sa.Column("diagnosis_pointers", sa.String(20), nullable=True),
        sa.Column("units", sa.Numeric(12, 3), nullable=False),
        sa.Column("charge", sa.Numeric(12, 2), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=True),
        sa.UniqueConstraint("claim_id", "line_number"),
    )
    op.create_index("ix_claim_lines_practice", "claim_lines", ["practice_id"])
    op.create_index(
        "ix_claims_practice_service", "claims", ["practice_id", "service_date_from", "id"]
    )
    _backfill(lines)


def _backfill(lines: sa.Table) -> None:
    from gateway.storage.claim_lines_tables import line_rows

    bind = op.get_bind()
    claims = sa.table("claims", sa.column("id"), sa.column("practice_id"), sa.column("submission"))
    after = ""
    while True:  # keyset pages: a large practice's history never sits in memory at once
        page = bind.execute(
            sa.select(claims.c.id, claims.c.practice_id, claims.c.submission)
            .where(claims.c.id > after)
            .order_by(claims.c.id)
            .limit(_BATCH)
        ).all()
        if not page:
            return
        rows = []
        for claim_id, practice_id, submission in page:
            if isinstance(submission, str):  # SQLite's JSON read through a bare column
                submission = json.loads(submission)
            rows.extend(line_rows(claim_id, practice_id, submission or {}))
        if rows:
            bind.execute(sa.insert(lines), rows)
        after = page[-1][0]


def downgrade() -> None:
    op.drop_index("ix_claims_practice_service", table_name="claims")
    op.drop_index("ix_claim_lines_practice", table_name="claim_lines")
    op.drop_table("claim_lines")
