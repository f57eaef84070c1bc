"""History fixtures: the ledger's gateway (sandbox payers in process) and its books."""

from __future__ import annotations

from tests.ledger.conftest import books, gateway, people  # noqa: F401  (fixtures)
