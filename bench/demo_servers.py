"""The demo for the portal benchmarks: sandbox payers in one subprocess, the gateway (with the demo's
practice, patients and users) in another, and a benchmark-only route that empties the gateway's cache.

Used by bench/portal.py and bench/portal_screenshots.py; they run this file as
``python bench/demo_servers.py serve-payers ...`` and ``... serve ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rig import ServerProcess, free_port

FLUSH_PATH = "/__bench__/flush-cache"  # only in this benchmark's server, never in the gateway


async def _serve_payers(latency_ms: int, payers_file: Path) -> None:
    """The demo's sandbox payers, each answering after ``latency_ms``, in a process of their own:
    a real payer's own work is not the gateway's server time."""
    from datetime import UTC, datetime

    from payers.sandbox.faults import FaultSettings
    from payers.sandbox.fleet import serving
    from payers.sandbox.launch import plan_sandboxes
    from payers.sandbox.world import build_world

    world = build_world(datetime.now(UTC).date())
    plan = plan_sandboxes(world, faults=FaultSettings(latency_ms=latency_ms))
    async with serving(plan.apps) as running:
        urls = {key: r.base_url for key, r in running.items()}
        found = {"base_urls": urls, "environ": plan.environ}
        written = payers_file.with_suffix(".tmp")
        await asyncio.to_thread(written.write_text, json.dumps(found))
        written.replace(payers_file)  # whole or absent: the benchmark waits for this file
        await asyncio.Event().wait()  # until the benchmark stops this process


async def _serve_gateway(port: int, payers_file: Path, info_file: Path, workdir: Path) -> None:
    """The demo's gateway over those payers, plus a route that empties the gateway's cache."""
    import dataclasses
    import os
    from datetime import UTC, datetime

    import uvicorn

    from gateway.demo import prepare
    from gateway.http.app import build_services, create_app
    from payers.registry import parse_payers_config
    from payers.sandbox.launch import payers_toml
    from payers.sandbox.world import build_world

    world = build_world(datetime.now(UTC).date())  # the same world the sandboxes serve
    payers = json.loads(await asyncio.to_thread(payers_file.read_text))
    os.environ.update(payers["environ"])
    base_urls = payers["base_urls"]
    setup = await prepare(str(workdir / "portal-bench.db"), world, base_urls)
    settings = dataclasses.replace(
        setup.settings, rate_limit_per_minute=10_000_000, rate_limit_burst=1_000_000
    )
    services = build_services(settings, parse_payers_config(payers_toml(world, base_urls)))
    gateway = create_app(services)
    backend = services.payers.cache.store.backend  # the bench empties it

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == FLUSH_PATH:
            backend.cache.clear()
            backend._tags.clear()
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await gateway(scope, receive, send)

    desk = next(u for u in setup.logins if u.role == "front_desk")
    info = {
        "email": desk.email,
        "password": setup.password,
        "totp_secret": desk.totp_secret,
        "patient_id": setup.patient_id,
        "payers": base_urls,
        "api_key": setup.key,
        # The practice's administrator may open every screen (the screenshots show them all).
        "admin": next(
            {"email": u.email, "totp_secret": u.totp_secret}
            for u in setup.logins
            if u.role == "practice_admin"
        ),
    }
    await asyncio.to_thread(info_file.write_text, json.dumps(info))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    await server.serve()


class DemoServers:
    """The sandbox payers and the gateway, each in a subprocess, and what the gateway's setup made."""

    def __init__(self, latency_ms: int, workdir: Path) -> None:
        self.workdir = workdir
        payers_file, self.info_file = workdir / "payers.json", workdir / "demo.json"
        me = [sys.executable, __file__]
        self.payers = subprocess.Popen(
            [*me, "serve-payers", "--latency-ms", str(latency_ms), "--payers", str(payers_file)]
        )
        port = free_port()
        argv = [*me, "serve", "--port", str(port), "--payers", str(payers_file)]
        argv += ["--info", str(self.info_file), "--workdir", str(workdir)]
        self._gateway_argv, self.port = argv, port
        self._payers_file = payers_file
        self.gateway: ServerProcess | None = None

    async def ready(self) -> dict[str, Any]:
        """Wait for the payers, then start the gateway and wait for it; its setup (user, patient)."""
        for _ in range(600):
            if self._payers_file.exists() or self.payers.poll() is not None:
                break
            await asyncio.sleep(0.1)
        if not self._payers_file.exists():
            raise RuntimeError("the sandbox payers did not start")
        self.gateway = ServerProcess(self._gateway_argv, self.port)
        await self.gateway.ready(120)
        return dict(json.loads(self.info_file.read_text()))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.gateway is not None:
            self.gateway.stop()
        self.payers.terminate()
        self.payers.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve")
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--payers", type=Path, required=True)
    serve.add_argument("--info", type=Path, required=True)
    serve.add_argument("--workdir", type=Path, required=True)
    serve_payers = commands.add_parser("serve-payers")
    serve_payers.add_argument("--latency-ms", type=int, required=True)
    serve_payers.add_argument("--payers", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "serve":
        asyncio.run(_serve_gateway(args.port, args.payers, args.info, args.workdir))
    else:
        asyncio.run(_serve_payers(args.latency_ms, args.payers))


if __name__ == "__main__":
    main()
