"""The gateway's own storage (SQLAlchemy 2 async): practices, keys, patients, coverages and more.

Tables are declared in several modules on one ``Base``; :data:`TABLE_MODULES` lists them so that the
migrations and the schema check see every table. A feature that adds tables adds its module here and
an Alembic revision on top of the single head.
"""

from __future__ import annotations

from importlib import import_module

from sqlalchemy import MetaData

TABLE_MODULES: tuple[str, ...] = (
    "gateway.storage.tables",
    "gateway.storage.identity_tables",
    "gateway.storage.audit_tables",
    "gateway.storage.claims_tables",
    "gateway.storage.ledger_tables",
    "gateway.storage.coverage_hint_tables",
    "gateway.storage.fee_schedule_tables",
    "gateway.storage.schedule_tables",
    "gateway.storage.batch_tables",
    "gateway.storage.worklist_tables",
    "gateway.storage.history_tables",
    "gateway.storage.claim_lines_tables",
)


def load_metadata() -> MetaData:
    """The metadata of every gateway table (imports each table module once)."""
    for module in TABLE_MODULES:
        import_module(module)
    from gateway.storage.tables import Base

    return Base.metadata
