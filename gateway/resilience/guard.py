"""One payer call under the payer's breaker, deadline and retry policy, measured.

The deadline (the payer's ``timeout_seconds``) covers every try and backoff together, so a caller
never waits longer than the payer's timeout however many retries happen. It is the call's only
timer: set with :func:`payers.deadline.payer_deadline`, so the adapter's own bound and the HTTP
client's per-request timeouts, which would fire no earlier, start none (gateway/payer_client.py).
Every failure leaves as a :class:`gateway.errors.PayerCallFailed` naming the payer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from gateway.errors import PayerCallFailed
from gateway.observability.metrics import GatewayMetrics
from gateway.resilience.health import PayerHealth, PayerHealthBoard
from gateway.resilience.retry import RetryPolicy
from payers.contract import (
    Capability,
    PayerError,
    PayerProtocolError,
    PayerTimeout,
    PayerUnavailable,
)
from payers.deadline import payer_deadline

log = logging.getLogger(__name__)

T = TypeVar("T")


def payer_is_unwell(error: PayerError) -> bool:
    """Failures that count against a payer's breaker (it answered, but wrongly, or not at all)."""
    return isinstance(error, PayerUnavailable | PayerProtocolError)


class PayerGuard:
    """Breakers, retries and measurements for every payer."""

    def __init__(
        self, health: PayerHealthBoard, retry: RetryPolicy, metrics: GatewayMetrics
    ) -> None:
        self.health = health
        self.retry = retry
        self.metrics = metrics

    async def run(
        self,
        payer_id: str,
        capability: Capability,
        timeout_seconds: float,
        attempt: Callable[[], Awaitable[T]],
    ) -> T:
        operation = capability.value
        health = self.health.of(payer_id)
        breaker = health.breaker
        if not breaker.try_acquire():
            self.metrics.payer_calls.labels(payer_id, operation, "BREAKER_OPEN").inc()
            error: PayerError = PayerUnavailable(
                payer_id, "not called: the payer failed repeatedly and its circuit breaker is open"
            )
            raise PayerCallFailed.worded_by_gateway(error, operation, called=False)
        settled = False
        try:
            try:
                async with payer_deadline(timeout_seconds):
                    value = await self._tries(payer_id, capability, operation, health, attempt)
            except TimeoutError as exc:
                error = PayerTimeout(payer_id, f"no answer within {timeout_seconds:g} s")
                self.metrics.payer_call_seconds.labels(payer_id, operation, error.code).observe(
                    timeout_seconds
                )
                raise PayerCallFailed.worded_by_gateway(error, operation) from exc
            except PayerError as exc:
                error = exc
                raise PayerCallFailed(exc, operation) from exc
            else:
                breaker.record_success()
                settled = True
                self.metrics.payer_calls.labels(payer_id, operation, "ok").inc()
                return value
        except PayerCallFailed:
            self.metrics.payer_calls.labels(payer_id, operation, error.code).inc()
            if payer_is_unwell(error):
                breaker.record_failure()
                health.record_failure(error.code)
            else:
                breaker.record_success()  # the payer answered; the request was the problem
            settled = True
            raise
        finally:
            if not settled:
                breaker.release()  # cancelled: says nothing about the payer

    async def _tries(
        self,
        payer_id: str,
        capability: Capability,
        operation: str,
        health: PayerHealth,
        attempt: Callable[[], Awaitable[T]],
    ) -> T:
        tries = 0
        while True:
            tries += 1
            started = time.perf_counter()
            try:
                value = await attempt()
            except PayerError as exc:
                error = exc
            except Exception as exc:
                # An adapter bug must not take the query down; log the type only (messages may hold PHI).
                log.error(
                    "adapter raised an untyped error",
                    extra={
                        "payer": payer_id,
                        "operation": operation,
                        "error_type": type(exc).__name__,
                    },
                )
                error = PayerProtocolError(payer_id, "the payer's answer could not be processed")
                error.__cause__ = exc
            else:
                elapsed = time.perf_counter() - started
                self.metrics.payer_call_seconds.labels(payer_id, operation, "ok").observe(elapsed)
                health.record_answer(elapsed)
                return value
            elapsed = time.perf_counter() - started
            self.metrics.payer_call_seconds.labels(payer_id, operation, error.code).observe(elapsed)
            if not payer_is_unwell(error):
                health.record_answer(elapsed)
            if not self.retry.should_retry(capability, error, tries):
                raise error
            self.metrics.payer_retries.labels(payer_id, operation).inc()
            log.info(
                "retrying payer read",
                extra={
                    "payer": payer_id,
                    "operation": operation,
                    "code": error.code,
                    "try": tries + 1,
                },
            )
            await asyncio.sleep(self.retry.delay(tries))
