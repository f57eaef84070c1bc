"""``payer-gateway worker``: the claims dispatcher, status poller, remittance puller, webhook sender and
batch eligibility runner, without the API.

Run as many as you like on PostgreSQL (rows are leased, taken with ``FOR UPDATE SKIP LOCKED``); on
SQLite one process writes at a time, so keep to one dispatcher (a worker, or the gateway's own).
Stops on SIGTERM/SIGINT after the sends in flight are recorded; a worker killed outright loses
nothing: its in-flight claims are resent under the same control numbers when their lease lapses, and
the payers deduplicate them; its remittance pulls run again when their lease lapses and post nothing
twice (gateway/ledger/puller.py).
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
        if services.batches is not None:  # batch eligibility checks (gateway/jobs/)
            await services.batches.start(loops=True)
        log.info("claims worker started")
        await claims.wait()
    finally:
        if services.batches is not None:
            await services.batches.close()
        await claims.close()
        await services.payers.aclose()
        await services.database.dispose()
