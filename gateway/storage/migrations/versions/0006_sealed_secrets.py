"""sealed secrets: TOTP seeds and webhook signing keys are stored sealed (gateway/storage/sealed.py)

The columns grow to hold sealed values; the values themselves are sealed by ``upgrade`` in
gateway/storage/migrate.py after every migration run (which also re-seals under a rotated key).

Revision ID: 0006_sealed_secrets
Revises: 0005_raw_exchange
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_sealed_secrets"
down_revision = "0005_raw_exchange"
branch_labels = None
depends_on = None

_COLUMNS = {
    "users": {"totp_secret": 64, "totp_pending_secret": 64},
    "webhooks": {"secret": 100},
}
SEALED_LENGTH = 512


def _resize(sizes: dict[str, dict[str, int]], grow: bool) -> None:
    # On SQLite each batch rebuilds the table; gateway/storage/migrate.py turns foreign keys off for
    # the run (rows of other tables refer to these) and checks them all at the end.
    for table, columns in sizes.items():
        with op.batch_alter_table(table) as batch:
            for name, length in columns.items():
                old, new = (length, SEALED_LENGTH) if grow else (SEALED_LENGTH, length)
                batch.alter_column(
                    name,
                    type_=sa.String(new),
                    existing_type=sa.String(old),
                    existing_nullable=table == "users",
                )


def upgrade() -> None:
    _resize(_COLUMNS, grow=True)


def downgrade() -> None:
    # Sealed values do not fit the old columns: open them first (needs the data keys).
    from gateway.storage.migrate import open_sealed_columns

    open_sealed_columns(op.get_bind())
    _resize(_COLUMNS, grow=False)
