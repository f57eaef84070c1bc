"""Each payer's health as the gateway sees it: breaker, recent latency, last failure.

Latency is the median of the last :data:`LATENCY_WINDOW` answered calls. The last error is kept as
its code and time only: payer error messages can name a member, and health is visible to every
practice.
"""

from __future__ import annotations

import enum
import statistics
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.resilience.breaker import BreakerState, CircuitBreaker

LATENCY_WINDOW = 200


class HealthStatus(enum.StrEnum):
    UP = "up"  # answering
    DEGRADED = "degraded"  # the last call failed, or the breaker is probing
    DOWN = "down"  # breaker open: calls are refused at once


@dataclass(frozen=True, slots=True)
class PayerError:
    code: str
    at: datetime


class PayerHealth:
    """One payer's breaker, latency window and last error."""

    def __init__(self, payer_id: str, breaker: CircuitBreaker) -> None:
        self.payer_id = payer_id
        self.breaker = breaker
        self._latencies: deque[float] = deque(maxlen=LATENCY_WINDOW)
        self.last_error: PayerError | None = None
        #: When the payer last answered (a "member not found" is an answer too): a banner can say
        #: "not answering; last good answer at 10:42". This replica's view, like the rest of health.
        self.last_answer_at: datetime | None = None
        self._last_failed = False

    @property
    def status(self) -> HealthStatus:
        state = self.breaker.state
        if state is BreakerState.OPEN:
            return HealthStatus.DOWN
        if state is BreakerState.HALF_OPEN or self._last_failed:
            return HealthStatus.DEGRADED
        return HealthStatus.UP

    @property
    def latency_p50(self) -> float | None:
        """Median seconds of recent answered calls, or None before the first."""
        return statistics.median(self._latencies) if self._latencies else None

    def record_answer(self, seconds: float) -> None:
        self._latencies.append(seconds)
        self.last_answer_at = datetime.now(UTC)
        self._last_failed = False

    def record_failure(self, code: str) -> None:
        self.last_error = PayerError(code, datetime.now(UTC))
        self._last_failed = True


class PayerHealthBoard:
    """The health of every configured payer."""

    def __init__(
        self,
        payer_ids: Iterable[str],
        failure_threshold: int,
        reset_seconds: float,
        on_breaker_change: Callable[[str, BreakerState], None] | None = None,
    ) -> None:
        def watcher(payer_id: str) -> Callable[[BreakerState], None] | None:
            if on_breaker_change is None:
                return None
            return lambda state: on_breaker_change(payer_id, state)

        self._payers = {
            payer_id: PayerHealth(
                payer_id,
                CircuitBreaker(failure_threshold, reset_seconds, on_change=watcher(payer_id)),
            )
            for payer_id in payer_ids
        }

    def of(self, payer_id: str) -> PayerHealth:
        return self._payers[payer_id]

    def payer_ids(self) -> list[str]:
        return list(self._payers)

    def breakers(self) -> dict[str, CircuitBreaker]:
        return {payer_id: health.breaker for payer_id, health in self._payers.items()}
