"""``payer-gateway worker``: the claims dispatcher, status poller and webhook sender, without the API.

Run as many as you like on PostgreSQL (rows are shared with ``FOR UPDATE SKIP LOCKED``); on SQLite run
exactly one dispatcher in total (a worker, or the gateway's own, not both). Stops on SIGTERM/SIGINT
after the round in flight; a worker killed outright loses nothing: its claims are resent under the
same control numbers and the payers deduplicate them.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from gateway.config import GatewaySettings

log = logging.getLogger(__name__)


async def run_worker(settings: GatewaySettings) -> None:
    from gateway.http.app import build_services

    services = build_services(settings)
    claims = services.claims
    assert claims is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, claims.stop)
    try:
        await claims.start(loops=True)
        log.info("claims worker started")
        await claims.wait()
    finally:
        await claims.close()
        await services.payers.aclose()
        await services.database.dispose()
