"""Keeping one payer's trouble from spreading: circuit breakers, bounded retries, payer health."""

from gateway.resilience.breaker import BreakerState, CircuitBreaker
from gateway.resilience.health import PayerHealth, PayerHealthBoard
from gateway.resilience.retry import RetryPolicy

__all__ = ["BreakerState", "CircuitBreaker", "PayerHealth", "PayerHealthBoard", "RetryPolicy"]
