"""The configured payers and the one door every payer call goes through.

:class:`PayerDirectory` owns one ``httpx.AsyncClient`` per payer and the adapters built on them.
:meth:`PayerDirectory.call` answers one adapter operation for one practice: from the payer-call cache
when it can (see :mod:`gateway.cache.payer_calls`), else through the payer's circuit breaker, deadline
and retries (see :mod:`gateway.resilience.guard`). Every failure is a
:class:`gateway.errors.PayerCallFailed` naming the payer, so a resolver that fans out to several payers
can let one fail without touching the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from gateway.cache.backends import MemoryBackend
from gateway.cache.keys import member_of, payer_call_key
from gateway.cache.payer_calls import PayerCallCache
from gateway.cache.recording import refuse_response_cache
from gateway.cache.store import CacheStore
from gateway.errors import PayerCallFailed
from gateway.observability.metrics import GatewayMetrics
from gateway.payer_client import payer_client
from gateway.resilience.breaker import BreakerState
from gateway.resilience.guard import PayerGuard
from gateway.resilience.health import PayerHealth, PayerHealthBoard
from gateway.resilience.retry import RetryPolicy
from payers.contract import (
    CAPABILITY_METHODS,
    Capability,
    PayerAdapter,
    PayerRejected,
    PayerSettings,
)
from payers.model import ClaimRef, ClaimSubmission, MemberQuery, SubmissionAck
from payers.registry import AdapterRegistry, build_adapter

TransportFactory = Callable[[PayerSettings], httpx.AsyncBaseTransport | None]

#: Operations whose answers may be cached (each payer's ``cache_ttl`` says for how long; 0: never).
CACHEABLE = frozenset(
    {Capability.ELIGIBILITY, Capability.CLAIM_SEARCH, Capability.CLAIM_STATUS, Capability.PAYMENTS}
)
#: What a new claim or a new status changes in the cache.
CLAIM_OPERATIONS = (Capability.CLAIM_SEARCH.value, Capability.CLAIM_STATUS.value)
#: Operations after which cached answers may be out of date (see ``_invalidate_after``).
_INVALIDATING = frozenset({Capability.CLAIM_SUBMISSION, Capability.CLAIM_STATUS})


@dataclass(frozen=True, slots=True)
class PayerAnswer:
    """A payer's result with where and when it came from (the cache layer sets ``from_cache``/``stale``)."""

    payer_id: str
    value: Any
    fetched_at: datetime
    from_cache: bool = False
    stale: bool = False


@dataclass(frozen=True, slots=True)
class ConfiguredPayer:
    settings: PayerSettings
    adapter: PayerAdapter

    @property
    def id(self) -> str:
        return self.settings.id

    @property
    def capabilities(self) -> frozenset[Capability]:
        return type(self.adapter).capabilities

    @property
    def protocol(self) -> str:
        return type(self.adapter).protocol


@dataclass(frozen=True, slots=True)
class Resilience:
    """Breaker and retry settings shared by every payer."""

    failure_threshold: int = 5
    reset_seconds: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)


class PayerDirectory:
    """Every configured payer by id, with the HTTP clients, cache and breakers the gateway owns for them."""

    def __init__(
        self,
        payers: Iterable[ConfiguredPayer],
        clients: Iterable[httpx.AsyncClient],
        *,
        cache: PayerCallCache | None = None,
        metrics: GatewayMetrics | None = None,
        resilience: Resilience | None = None,
    ) -> None:
        self._payers: dict[str, ConfiguredPayer] = {p.id: p for p in payers}
        self._clients = list(clients)
        self.metrics = metrics or (cache.metrics if cache else GatewayMetrics())
        self.cache = cache or PayerCallCache(
            CacheStore(MemoryBackend(10_000), self.metrics, "pgw"), grace_seconds=600
        )
        resilience = resilience or Resilience()
        self.health = PayerHealthBoard(
            self._payers,
            resilience.failure_threshold,
            resilience.reset_seconds,
            on_breaker_change=self._breaker_changed,
        )
        for payer_id in self._payers:
            self.metrics.set_breaker_state(payer_id, BreakerState.CLOSED.value)
        self.guard = PayerGuard(self.health, resilience.retry, self.metrics)

    @classmethod
    def build(
        cls,
        settings: Iterable[PayerSettings],
        registry: AdapterRegistry,
        transport_for: TransportFactory | None = None,
        *,
        cache: PayerCallCache | None = None,
        metrics: GatewayMetrics | None = None,
        resilience: Resilience | None = None,
        for_batches: bool = False,
    ) -> PayerDirectory:
        """``for_batches``: each payer's client keeps its whole batch budget's connections open."""
        payers, clients = [], []
        for item in settings:
            transport = transport_for(item) if transport_for else None
            in_flight = item.batch_concurrency if for_batches else 0
            client = payer_client(item.timeout_seconds, transport, in_flight=in_flight)
            clients.append(client)
            payers.append(ConfiguredPayer(item, build_adapter(item, registry, client)))
        return cls(payers, clients, cache=cache, metrics=metrics, resilience=resilience)

    def get(self, payer_id: str) -> ConfiguredPayer | None:
        return self._payers.get(payer_id)

    def all(self) -> list[ConfiguredPayer]:
        return list(self._payers.values())

    def health_of(self, payer_id: str) -> PayerHealth | None:
        return self.health.of(payer_id) if payer_id in self._payers else None

    async def aclose(self) -> None:
        await asyncio.gather(*(client.aclose() for client in self._clients))
        await self.cache.store.close()

    async def call(
        self,
        practice_id: str,
        payer_id: str,
        capability: Capability,
        *args: Any,
        fresh: bool = False,
        cached: bool = True,
    ) -> PayerAnswer:
        """Answer one operation at one payer for one practice; every failure is a PayerCallFailed.

        Cacheable reads are answered from the practice's cache unless ``fresh``; ``cached=False``
        asks the payer and neither reads nor writes the cache (a failure is then never hidden behind
        a stale answer: the remittance puller must know the payer did not answer). A fresh claim status
        (a status refresh) and an accepted claim submission drop the cached claim searches and the
        whole responses built from them for that member.
        """
        operation = capability.value
        payer = self._payers.get(payer_id)
        if payer is None:
            raise PayerCallFailed.worded_by_gateway(
                PayerRejected(payer_id, "this payer is not configured on the gateway"), operation
            )
        if capability not in payer.capabilities:
            raise PayerCallFailed.worded_by_gateway(
                PayerRejected(payer_id, f"this payer does not support {operation}"), operation
            )
        ttl = payer.settings.cache_ttl.get(operation, 0) if capability in CACHEABLE else 0
        if ttl <= 0 or not cached:
            refuse_response_cache()
            answer = await self._ask(payer, capability, args)
        else:
            key = payer_call_key(self.cache.namespace, practice_id, payer_id, operation, args)
            served = await self.cache.answer(
                key,
                ttl,
                lambda: self._ask(payer, capability, args),
                fresh=fresh,
                lock_seconds=payer.settings.timeout_seconds + 1,
                coordinate=lambda: self.health.of(payer_id).breaker.state is not BreakerState.OPEN,
            )
            entry = served.entry
            answer = PayerAnswer(
                payer_id,
                entry.value,
                entry.fetched_at,
                from_cache=served.from_cache,
                stale=served.stale,
            )
        if capability in _INVALIDATING:  # reads change nothing: no coroutine for them
            await self._invalidate_after(practice_id, payer_id, capability, args, answer, fresh)
        return answer

    async def invalidate(
        self,
        practice_id: str,
        payer_id: str,
        member: MemberQuery | str | None,
        operations: Sequence[Capability | str] = CLAIM_OPERATIONS,
    ) -> int:
        """Drop one practice's cached answers about a member at a payer (and responses built on them).

        For the claims workflow: after a claim is submitted or its status changes. Returns the number
        of cache entries dropped.
        """
        member_id = member.member_id if isinstance(member, MemberQuery) else member
        names = [op.value if isinstance(op, Capability) else op for op in operations]
        return await self.cache.invalidate(practice_id, payer_id, member_id, names)

    async def _invalidate_after(
        self,
        practice_id: str,
        payer_id: str,
        capability: Capability,
        args: Sequence[Any],
        answer: PayerAnswer,
        fresh: bool,
    ) -> None:
        if capability is Capability.CLAIM_SUBMISSION:
            ack, claim = answer.value, args[0] if args else None
            if (
                isinstance(ack, SubmissionAck)
                and ack.accepted
                and isinstance(claim, ClaimSubmission)
            ):
                await self.invalidate(practice_id, payer_id, claim.member)
        elif capability is Capability.CLAIM_STATUS and fresh and not answer.from_cache:
            ref = args[0] if args else None
            if isinstance(ref, ClaimRef):
                await self.invalidate(
                    practice_id, payer_id, member_of(args), [Capability.CLAIM_SEARCH]
                )

    async def _ask(
        self, payer: ConfiguredPayer, capability: Capability, args: Sequence[Any]
    ) -> PayerAnswer:
        method = getattr(payer.adapter, CAPABILITY_METHODS[capability])
        value = await self.guard.run(
            payer.id, capability, payer.settings.timeout_seconds, lambda: method(*args)
        )
        return PayerAnswer(payer.id, value, datetime.now(UTC))

    def _breaker_changed(self, payer_id: str, state: BreakerState) -> None:
        self.metrics.set_breaker_state(payer_id, state.value)
