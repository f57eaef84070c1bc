"""History fixtures: the ledger's gateway (sandbox payers in process) and its books; the batch
gateway for eligibility checks made by a real batch run."""

from __future__ import annotations

from tests.batch.conftest import batch_gateway, fast_batches  # noqa: F401  (fixtures)
from tests.ledger.conftest import books, gateway, people  # noqa: F401  (fixtures)
