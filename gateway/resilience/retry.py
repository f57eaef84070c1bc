"""Bounded retries with full-jitter exponential backoff, for idempotent payer reads only."""

from __future__ import annotations

import random
from dataclasses import dataclass

from payers.contract import Capability, PayerError, PayerTimeout

#: Operations that change nothing at the payer. Claim submission is never retried here: the claims
#: outbox resends it later under the same control number so the payer can deduplicate.
IDEMPOTENT = frozenset(
    {
        Capability.ELIGIBILITY,
        Capability.CLAIM_SEARCH,
        Capability.CLAIM_STATUS,
        Capability.PAYMENTS,
        Capability.COVERAGE_DISCOVERY,
    }
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` extra tries after the first; delays drawn from [0, min(max, base * 2**n)]."""

    attempts: int = 2
    base_delay: float = 0.05
    max_delay: float = 0.4

    def should_retry(self, capability: Capability, error: PayerError, tries_done: int) -> bool:
        """Retry only reads, only errors that may pass, never a timeout (it used the whole budget)."""
        return (
            capability in IDEMPOTENT
            and error.retryable
            and not isinstance(error, PayerTimeout)
            and tries_done <= self.attempts
        )

    def delay(self, tries_done: int) -> float:
        """Seconds to wait before try number ``tries_done + 1``."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (tries_done - 1))
        return random.uniform(0, ceiling)  # noqa: S311  (jitter, not security)
