"""The claims machinery of one process: the desk, dispatcher, poller, remittance puller, webhooks, bus.

``payer-gateway serve`` runs the background loops in the gateway process (unless
``PAYER_GATEWAY_CLAIMS_RUN_IN_GATEWAY=false``); ``payer-gateway worker`` runs them alone. The bus
is Redis pub/sub when ``PAYER_GATEWAY_CACHE_URL`` is a Redis URL, so subscribers on any gateway hear
changes found by any worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import httpx

from gateway.claims.backoff import Backoff
from gateway.claims.desk import ClaimDesk
from gateway.claims.dispatcher import Dispatcher
from gateway.claims.events import LocalStatusBus, StatusChange, open_status_bus
from gateway.claims.poller import StatusPoller
from gateway.claims.settings import ClaimsSettings
from gateway.claims.webhook_addresses import WebhookAddressGuard
from gateway.claims.webhook_transport import PinnedAddressTransport
from gateway.claims.webhooks import WebhookSender
from gateway.config import GatewaySettings
from gateway.history.refresher import ClaimHistoryRefresher
from gateway.ledger.after_posting import after_posting
from gateway.ledger.posting import PostingResult
from gateway.ledger.puller import RemittancePuller
from gateway.payers import PayerDirectory
from gateway.storage.database import Database

log = logging.getLogger(__name__)


@dataclass
class ClaimServices:
    settings: ClaimsSettings
    bus: LocalStatusBus
    desk: ClaimDesk
    dispatcher: Dispatcher
    poller: StatusPoller
    webhooks: WebhookSender
    webhook_client: httpx.AsyncClient
    webhook_guard: WebhookAddressGuard  # judges webhook hosts at registration and every delivery
    puller: RemittancePuller
    history: ClaimHistoryRefresher | None = None  # payer-reported claims (gateway/history)
    _loops: list[asyncio.Task[None]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def published(self, changes: Sequence[StatusChange]) -> None:
        """After commit: tell subscribers (here or everywhere) and nudge the webhook sender."""
        for change in changes:
            await self.bus.publish(change)

    async def start(self, *, loops: bool) -> None:
        await self.bus.start()
        if loops:
            self._stop.clear()
            self._loops = [
                asyncio.create_task(
                    self.dispatcher.run_forever(self._stop), name="claims-dispatcher"
                ),
                asyncio.create_task(
                    self._every(self.settings.poll_tick_seconds, self.poller.run_once),
                    name="claims-poller",
                ),
                asyncio.create_task(
                    self._every(self.settings.webhook_tick_seconds, self.webhooks.run_once),
                    name="claims-webhooks",
                ),
                asyncio.create_task(
                    self._every(self.settings.remittance_tick_seconds, self._pull_due),
                    name="ledger-puller",
                ),
            ]
            if self.history is not None:
                self._loops.append(
                    asyncio.create_task(
                        self._every(self.settings.history_tick_seconds, self._refresh_due),
                        name="history-refresher",
                    )
                )

    async def wait(self) -> None:
        await self._stop.wait()

    def stop(self) -> None:
        self._stop.set()

    async def close(self) -> None:
        self._stop.set()
        for task in self._loops:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._loops = []
        await self.puller.drain()
        if self.history is not None:
            await self.history.cancel()
        await self.bus.close()
        await self.webhook_client.aclose()

    async def _pull_due(self) -> int:
        await self.puller.run_once()
        return 0  # the pulls run as tasks: wait for the next tick, not for them

    async def _refresh_due(self) -> int:
        assert self.history is not None
        await self.history.run_once()
        return 0  # the refreshes run as tasks

    async def _every(self, seconds: float, step: Callable[[], Awaitable[int]]) -> None:
        while not self._stop.is_set():
            try:
                busy = await step()
            except Exception:
                log.exception("claims background step failed")
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=seconds)


@dataclass(frozen=True, slots=True)
class _Posting:
    """What after_posting needs, for postings made in the claims machinery (the puller)."""

    database: Database
    claims: ClaimServices | None


def build_claim_services(
    settings: GatewaySettings,
    database: Database,
    payers: PayerDirectory,
    claims: ClaimsSettings | None = None,
) -> ClaimServices:
    claims = claims or ClaimsSettings.from_environ()
    bus = open_status_bus(settings.cache_url, settings.cache_namespace)
    holder: list[ClaimServices] = []

    async def publish(changes: Sequence[StatusChange]) -> None:
        await holder[0].published(changes)

    async def posted(practice_id: str, result: PostingResult) -> None:
        await after_posting(_Posting(database, holder[0]), practice_id, result)

    async def accepted(change: StatusChange) -> None:
        holder[0].dispatcher.wake()
        await holder[0].published([change])

    guard = WebhookAddressGuard(
        allowed_networks=claims.allowed_networks(), timeout_seconds=claims.webhook_timeout_seconds
    )
    # trust_env off: no proxy from the environment (it would resolve the name itself and connect
    # wherever that points) and no .netrc credentials sent to a partner's host.
    client = httpx.AsyncClient(
        transport=PinnedAddressTransport(guard),
        timeout=claims.webhook_timeout_seconds,
        follow_redirects=False,
        trust_env=False,
    )
    services = ClaimServices(
        settings=claims,
        bus=bus,
        desk=ClaimDesk(
            database, payers, accepted, eligibility_budget_seconds=claims.eligibility_budget_seconds
        ),
        dispatcher=Dispatcher(
            database,
            payers,
            publish,
            backoff=Backoff(claims.retry_base_seconds, claims.retry_cap_seconds),
            batch_size=claims.batch_size,
            per_payer_concurrency=claims.per_payer_concurrency,
            lease_seconds=claims.lease_seconds,
            idle_seconds=claims.idle_seconds,
            first_poll_seconds=claims.first_poll_seconds,
        ),
        poller=StatusPoller(database, payers, publish, batch_size=claims.batch_size),
        webhooks=WebhookSender(
            database, client, max_attempts=claims.webhook_max_attempts, batch_size=claims.batch_size
        ),
        webhook_client=client,
        webhook_guard=guard,
        puller=RemittancePuller(
            database,
            payers,
            posted,
            interval_seconds=claims.remittance_pull_seconds,
            lease_seconds=claims.remittance_lease_seconds,
        ),
        history=ClaimHistoryRefresher(
            database,
            payers,
            interval_seconds=claims.history_refresh_seconds,
            first_refresh_seconds=claims.history_first_refresh_seconds,
            lease_seconds=claims.history_lease_seconds,
            lookback_days=claims.history_lookback_days,
        ),
    )
    holder.append(services)
    return services
