"""Estimate fixtures: the gateway over the sandbox payers, and one whose payers' clocks the test steps."""

from __future__ import annotations

from tests.gateway.conftest import gateway  # noqa: F401  (a fixture)
from tests.ledger.test_money_loop import stepped_gateway  # noqa: F401  (a fixture)
