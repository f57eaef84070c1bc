"""A circuit breaker per payer.

Closed: calls go through; ``failure_threshold`` failed calls in a row open it. Open: calls are refused
at once (the caller answers PAYER_UNAVAILABLE without waiting for a payer that is down) until
``reset_seconds`` have passed. Then it is half-open: exactly one call at a time is let through as a
probe; its success closes the breaker, its failure opens it again for another ``reset_seconds``.

Only failures that say the payer is unwell count (unavailable, timed out, malformed answers); a
payer that answers "no such member" or rejects a request is working fine.

Several processes (``serve --workers N``) share openings through two hooks, used by
:mod:`gateway.resilience.shared_breakers`: ``on_trip`` is told each time this breaker opens, with
the seconds it will stay open, and :meth:`CircuitBreaker.open_elsewhere` adopts an opening another
process published. Neither touches the network; the half-open probe stays this process's own.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable


class BreakerState(enum.StrEnum):
    CLOSED = "closed"
    HALF_OPEN = "half_open"
    OPEN = "open"


class CircuitBreaker:
    """State of one payer's breaker. Not thread-safe: one event loop owns it."""

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[BreakerState], None] | None = None,
    ) -> None:
        self.failure_threshold = max(1, failure_threshold)
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._on_change = on_change
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False
        #: Called with ``reset_seconds`` whenever this breaker opens (not when it adopts an opening).
        self.on_trip: Callable[[float], None] | None = None

    @property
    def state(self) -> BreakerState:
        """The state now (an open breaker whose wait is over reports half-open)."""
        if (
            self._state is BreakerState.OPEN
            and self._clock() - self._opened_at >= self.reset_seconds
        ):
            return BreakerState.HALF_OPEN
        return self._state

    @property
    def open_seconds_left(self) -> float:
        """Seconds until an open breaker lets a probe through; 0 when it is not open."""
        if self._state is not BreakerState.OPEN:
            return 0.0
        return max(0.0, self.reset_seconds - (self._clock() - self._opened_at))

    def open_elsewhere(self, seconds_left: float) -> bool:
        """Another process opened this payer's breaker, ``seconds_left`` to go: stay open as long.

        Only ever lengthens an opening (True when it did); ``on_trip`` is not called, since the
        opening is already known. Once the time is up, this breaker half-opens and probes as after
        an opening of its own."""
        if seconds_left <= self.open_seconds_left:
            return False
        self._opened_at = self._clock() + seconds_left - self.reset_seconds
        self._set(BreakerState.OPEN)
        return True

    def try_acquire(self) -> bool:
        """May a call go to the payer now? In half-open, True for one probe at a time."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN or self._probing:
            return False
        self._set(BreakerState.HALF_OPEN)
        self._probing = True
        return True

    def record_success(self) -> None:
        self._failures = 0
        self._probing = False
        self._set(BreakerState.CLOSED)

    def record_failure(self) -> None:
        self._failures += 1
        was_probe, self._probing = self._probing, False
        if was_probe or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
            self._set(BreakerState.OPEN)
            if self.on_trip is not None:
                self.on_trip(self.reset_seconds)

    def release(self) -> None:
        """The call ended without saying anything about the payer (cancelled, or a caller's error)."""
        self._probing = False

    def _set(self, state: BreakerState) -> None:
        if state is not self._state:
            self._state = state
            if self._on_change is not None:
                self._on_change(state)
