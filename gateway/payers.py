"""The configured payers and the one door every payer call goes through.

:class:`PayerDirectory` owns one ``httpx.AsyncClient`` per payer and the adapters built on them.
:meth:`PayerDirectory.call` runs one adapter operation under the payer's timeout and turns every
failure into a :class:`gateway.errors.PayerCallFailed` naming the payer, so a resolver that fans out to
several payers can let one fail without touching the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from gateway.errors import PayerCallFailed
from payers.contract import (
    CAPABILITY_METHODS,
    Capability,
    PayerAdapter,
    PayerError,
    PayerProtocolError,
    PayerRejected,
    PayerSettings,
    PayerTimeout,
)
from payers.registry import AdapterRegistry, build_adapter

log = logging.getLogger(__name__)

TransportFactory = Callable[[PayerSettings], httpx.AsyncBaseTransport | None]


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


class PayerDirectory:
    """Every configured payer by id, with the HTTP clients the gateway owns for them."""

    def __init__(self, payers: Iterable[ConfiguredPayer], clients: Iterable[httpx.AsyncClient]) -> None:
        self._payers: dict[str, ConfiguredPayer] = {p.id: p for p in payers}
        self._clients = list(clients)

    @classmethod
    def build(
        cls,
        settings: Iterable[PayerSettings],
        registry: AdapterRegistry,
        transport_for: TransportFactory | None = None,
    ) -> PayerDirectory:
        payers, clients = [], []
        for item in settings:
            transport = transport_for(item) if transport_for else None
            client = httpx.AsyncClient(
                transport=transport,
                timeout=httpx.Timeout(item.timeout_seconds),
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                follow_redirects=False,
            )
            clients.append(client)
            payers.append(ConfiguredPayer(item, build_adapter(item, registry, client)))
        return cls(payers, clients)

    def get(self, payer_id: str) -> ConfiguredPayer | None:
        return self._payers.get(payer_id)

    def all(self) -> list[ConfiguredPayer]:
        return list(self._payers.values())

    async def aclose(self) -> None:
        await asyncio.gather(*(client.aclose() for client in self._clients))

    async def call(
        self, payer_id: str, capability: Capability, *args: Any, **kwargs: Any
    ) -> PayerAnswer:
        """Run one operation at one payer within its timeout; every failure is a PayerCallFailed."""
        operation = capability.value
        payer = self._payers.get(payer_id)
        if payer is None:
            raise PayerCallFailed(
                PayerRejected(payer_id, "this payer is not configured on the gateway"), operation
            )
        if capability not in payer.capabilities:
            raise PayerCallFailed(
                PayerRejected(payer_id, f"this payer does not support {operation}"), operation
            )
        method = getattr(payer.adapter, CAPABILITY_METHODS[capability])
        try:
            async with asyncio.timeout(payer.settings.timeout_seconds):
                value = await method(*args, **kwargs)
            return PayerAnswer(payer_id, value, datetime.now(UTC))
        except TimeoutError as exc:
            seconds = payer.settings.timeout_seconds
            error: PayerError = PayerTimeout(payer_id, f"no answer within {seconds:g} s")
            raise PayerCallFailed(error, operation) from exc
        except PayerError as exc:
            raise PayerCallFailed(exc, operation) from exc
        except Exception as exc:
            # An adapter bug must not take the query down; log the type only (messages may hold PHI).
            log.error(
                "adapter raised an untyped error",
                extra={"payer": payer_id, "operation": operation, "error_type": type(exc).__name__},
            )
            error = PayerProtocolError(payer_id, "the payer's answer could not be processed")
            raise PayerCallFailed(error, operation) from exc


