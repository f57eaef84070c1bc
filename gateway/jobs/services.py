"""The batch machinery of one process: its own payer clients and the runner's loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.config import GatewaySettings
from gateway.jobs.runner import BatchRunner
from gateway.jobs.settings import BatchSettings
from gateway.payers import PayerDirectory, Resilience, TransportFactory
from gateway.resilience.retry import RetryPolicy
from gateway.storage.database import Database
from payers.contract import PayerSettings
from payers.registry import AdapterRegistry


@dataclass
class BatchServices:
    settings: BatchSettings
    payers: PayerDirectory  # the batch's own clients and breakers, apart from interactive calls
    runner: BatchRunner
    _loop: asyncio.Task[None] | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self, *, loops: bool) -> None:
        if loops and self._loop is None:
            self._stop.clear()
            self._loop = asyncio.create_task(
                self.runner.run_forever(self._stop), name="batch-runner"
            )

    async def close(self) -> None:
        self._stop.set()
        if self._loop is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
            self._loop = None
        await self.payers.aclose()


def build_batch_services(
    settings: GatewaySettings,
    database: Database,
    payer_settings: Sequence[PayerSettings],
    registry: AdapterRegistry,
    transport_for: TransportFactory | None = None,
    batch: BatchSettings | None = None,
) -> BatchServices:
    batch = batch or BatchSettings.from_environ()
    payers = PayerDirectory.build(
        payer_settings,
        registry,
        transport_for,
        resilience=Resilience(
            failure_threshold=settings.breaker_failure_threshold,
            reset_seconds=settings.breaker_reset_seconds,
            retry=RetryPolicy(attempts=0),  # a batch retries with its own backoff, paced
        ),
        for_batches=True,
    )
    return BatchServices(settings=batch, payers=payers, runner=BatchRunner(database, payers, batch))
