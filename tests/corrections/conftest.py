"""Corrections fixtures: the claims tests' gateway over the sandbox payers."""

from __future__ import annotations

from tests.claims.conftest import claims_gateway  # noqa: F401  (a fixture)
