"""``payer-gateway serve --workers N``: N gateway processes on one port, under uvicorn's supervisor.

The parent (``serve``) checks everything once: secrets, CORS, the port, the payers file, the
migrated database. It then binds the socket and hands it to uvicorn's ``Multiprocess``, which starts
N children, each calling :func:`served_app` to build its own settings and services from the same
environment, and replaces a child that dies. More than one process needs the Redis cache: through
it the processes share cached answers, single-flight locks, rate limits and their view of payer
health (gateway/resilience/shared_breakers.py). docs/deployment.md says what stays per process.
"""

from __future__ import annotations

import asyncio
import sys

from starlette.types import ASGIApp

from gateway.cli.failures import RUNTIME, USAGE, CommandFailure
from gateway.config import PREFIX, GatewaySettings

APP_FACTORY = "gateway.cli.serving:served_app"


def worker_count(requested: int | None, settings: GatewaySettings) -> int:
    """``--workers`` if given, else ``PAYER_GATEWAY_WORKERS``; checked, with a message naming it."""
    count = settings.workers if requested is None else requested
    if count < 1:
        raise CommandFailure(
            f"{PREFIX}WORKERS must be 1 or more (the processes `serve` runs), not {count}", USAGE
        )
    return count


def require_shared_cache(settings: GatewaySettings, workers: int) -> None:
    """Several processes with the in-memory cache would each keep their own: refuse it."""
    if settings.cache_url.startswith(("redis://", "rediss://")):
        return
    raise CommandFailure(
        f"cannot start {workers} workers with {PREFIX}CACHE_URL={settings.cache_url}: each "
        "process would keep its own cache, rate limits and payer circuit breakers; set "
        f"{PREFIX}CACHE_URL=redis://HOST:6379/DB (shared by every process) or run one worker",
        USAGE,
    )


def sqlite_note(settings: GatewaySettings, workers: int) -> str | None:
    """A word of warning for several processes on one SQLite file (allowed: see deployment.md)."""
    if not settings.database_url.startswith("sqlite"):
        return None
    return (
        f"note: {workers} workers on SQLite write one at a time across processes (a write "
        "waiting over 5 s fails); use PostgreSQL for production"
    )


def check_children_can_start(settings: GatewaySettings) -> None:
    """What each child reads besides the checked settings: the claims and batch settings, the
    payers file and every payer's adapter, checked once here, where a failure is one line and
    stops the command (a child failing stops the supervisor too, but after every child tried)."""
    import httpx

    from gateway.claims.settings import ClaimsSettings
    from gateway.jobs.settings import BatchSettings
    from payers.registry import AdapterRegistry, build_adapter, load_payers_config

    ClaimsSettings.from_environ()
    BatchSettings.from_environ()
    registry = AdapterRegistry.discover()
    client = httpx.AsyncClient()  # never used: adapters only keep it
    try:
        for payer in load_payers_config(settings.payers_config):
            build_adapter(payer, registry, client)
    finally:
        asyncio.run(client.aclose())


def served_app() -> ASGIApp:
    """One child's app (uvicorn calls it in each process it starts). A failure here is one line
    and uvicorn's start-up failure code, which stops the supervisor instead of a restart loop."""
    from uvicorn.config import STARTUP_FAILURE

    from gateway.cli.commands import load_settings, settle_heap
    from gateway.cli.failures import quiet_background_errors, report
    from gateway.logs import configure_logging

    quiet_background_errors()
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        from gateway.http.app import build_services, create_app

        app = create_app(build_services(settings))
    except Exception as exc:
        report(exc)
        sys.exit(STARTUP_FAILURE)
    settle_heap()
    return app


def run_workers(host: str, port: int, workers: int) -> int:
    """Serve until SIGINT or SIGTERM; a child that dies is replaced by a new one."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
    )
    supervisor = Multiprocess(config, sockets=[config.bind_socket()])
    supervisor.run()
    if any(child.exitcode == STARTUP_FAILURE for child in supervisor.processes):
        raise CommandFailure("a worker process could not start (its line above says why)", RUNTIME)
    return 0
