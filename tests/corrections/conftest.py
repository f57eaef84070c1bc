"""Corrections fixtures: the claims tests' gateway over the sandbox payers, and the ledger tests'
gateway over sandbox payers whose clocks the test steps."""

from __future__ import annotations

from tests.claims.conftest import claims_gateway  # noqa: F401  (a fixture)
from tests.ledger.test_money_loop import stepped_gateway  # noqa: F401  (a fixture)
